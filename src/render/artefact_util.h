#pragma once
// Helpers shared by the artefact implementations (not part of the public API).

#include <opencv2/core.hpp>

#include <algorithm>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "render/artefact.h"

namespace ecg::render::detail {

double uniform(std::mt19937_64& rng, double a, double b);
/// A value drawn uniformly from [range[0], range[1]].
double draw(std::mt19937_64& rng, const std::vector<double>& range);
int draw_int(std::mt19937_64& rng, const std::vector<double>& range);

/// An artefact from an options struct (with a `p` field) and a function.
template <class O>
class FnArtefact : public Artefact {
 public:
  using Fn = std::function<void(const O&, Page&, std::mt19937_64&)>;
  FnArtefact(O o, Fn fn) : o_(std::move(o)), fn_(std::move(fn)) {}
  double probability() const override { return o_.p(); }
  void apply(Page& page, std::mt19937_64& rng) const override { fn_(o_, page, rng); }

 private:
  O o_;
  Fn fn_;
};

/// A binder for artefact `name` with its `p` (probability in [0, 1]) already bound.
template <class O>
config::OptionsBinder<O> artefact_binder(const std::string& name) {
  config::OptionsBinder<O> b("artefact '" + name + "'");
  auto& p = ECG_BIND(b, p, "probability of applying it to a page");
  p.min_value = 0;
  p.max_value = 1;
  return b;
}

/// Rotation by `degrees` about the centre of an image of `size`, as a homography.
cv::Matx33d rotation_homography(cv::Size size, double degrees);

/// Registers `name`; binds `p` (probability in [0, 1]) before the caller's fields.
template <class O>
void add_artefact(ArtefactRegistry& r, const std::string& name, const std::string& summary, config::OptionsBinder<O>& b,
                  typename FnArtefact<O>::Fn fn) {
  r.add(name, summary, b, [fn](const O& o) { return std::make_shared<FnArtefact<O>>(o, fn); });
}

/// Appends {name, params...} to the page's artefact log.
void log(Page& page, const std::string& name, nlohmann::json params);

/// The sampling grid of a smooth per-pixel field (a displacement map, a light map): point
/// (i, j) lies at pixel ((j - 0.5) * stride - 0.5, (i - 0.5) * stride - 0.5), one ring
/// beyond the image, so that bilinear upsampling covers every pixel without clamping.
/// Computing such fields on the grid instead of per pixel is what keeps artefacts fast.
struct CoarseGrid {
  cv::Size image;
  int stride = 8;
  cv::Size size() const;
  double x(int j) const { return (j - 0.5) * stride - 0.5; }
  double y(int i) const { return (i - 0.5) * stride - 0.5; }
  /// Bilinear upsampling of a CV_32F field of size() to the image size (a view).
  cv::Mat upsample(const cv::Mat& coarse) const;
  /// Image rows per band of upsample_band() (64, or the stride when larger).
  int band_rows() const { return std::max(1, 64 / stride) * stride; }
  /// Rows [y0, y0 + band_rows()) (clipped to the image) of the upsampled field, for a
  /// field of any type, computed into `buffer`; a view. Banding keeps full-size fields
  /// out of memory (this machine streams ~4 GB/s; every full-page pass costs ~3 ms).
  cv::Mat upsample_band(const cv::Mat& coarse, int y0, cv::Mat& buffer) const;
  /// The bilinear interpolation of a CV_32F field at image point (px, py), as upsample().
  double interpolate(const cv::Mat& coarse, double px, double py) const;
  /// Fills CV_32F maps of size() with fn(x, y) at every grid point.
  void sample(const std::function<cv::Point2d(double x, double y)>& fn, cv::Mat* fx, cv::Mat* fy) const;
};

/// Warps image and truth by the homography h (image through a map sampled every 16 px,
/// truth exactly); uncovered pixels get `background`.
void warp_homography(Page& page, const cv::Matx33d& h, const cv::Scalar& background);

/// Resamples image(p) = old(src(p)), with the source positions given on `grid` (CV_32F
/// maps of grid.size()) and interpolated bilinearly; uncovered pixels get `background`.
/// Moves the truth through the inverse of the interpolated map (fixed-point iteration,
/// < 0.01 px for smooth maps whose Jacobian stays near the identity) and marks it nonlinear.
void remap_nonlinear(Page& page, const CoarseGrid& grid, const cv::Mat& src_x, const cv::Mat& src_y,
                     const cv::Scalar& background);

/// A smooth random field in [-1, 1] of `size`, from white noise at `cells` x `cells`
/// resolution upsampled bicubically.
cv::Mat smooth_field(std::mt19937_64& rng, cv::Size size, int cells);

/// Multiplies every pixel's channels by the factor field (CV_32F on `grid`, clamped to
/// [0, 255], interpolated bilinearly), saturating; 8.8 fixed point.
void multiply_by_field(cv::Mat& image, const CoarseGrid& grid, const cv::Mat& factor);

/// Moves every pixel toward white by the amount field (CV_32F on `grid`, clamped to [0, 1]).
void fade_by_field(cv::Mat& image, const CoarseGrid& grid, const cv::Mat& amount);

/// Multiplies channel c of every pixel by factors[c], saturating (a per-channel LUT).
void scale_channels(cv::Mat& image, const cv::Scalar& factors);

/// Paper colour estimate: the 95th percentile grey of a subsample, as BGR.
cv::Scalar paper_color(const cv::Mat& image);

/// Background behind a photographed page: a random table colour.
cv::Scalar table_color(std::mt19937_64& rng);

}  // namespace ecg::render::detail
