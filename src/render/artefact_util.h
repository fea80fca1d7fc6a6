#pragma once
// Helpers shared by the artefact implementations (not part of the public API).

#include <opencv2/core.hpp>

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

/// Warps image and truth by the homography h; uncovered pixels get `background`.
void warp_homography(Page& page, const cv::Matx33d& h, const cv::Scalar& background);

/// Resamples image(x) = old(map(x)) with map = identity + (dx, dy) (CV_32F, full size),
/// and moves the truth through the inverse (fixed-point iteration, < 0.01 px for smooth
/// fields whose gradient stays well below 1).
void remap_displacement(Page& page, const cv::Mat& dx, const cv::Mat& dy, const cv::Scalar& background);

/// A smooth random field in [-1, 1] of `size`, from white noise at `cells` x `cells`
/// resolution upsampled bicubically.
cv::Mat smooth_field(std::mt19937_64& rng, cv::Size size, int cells);

/// Multiplies every pixel's channels by factor(x, y) (CV_32F, the image's size), saturating.
void multiply_by_field(cv::Mat& image, const cv::Mat& factor);

/// Paper colour estimate: the 95th percentile grey of a subsample, as BGR.
cv::Scalar paper_color(const cv::Mat& image);

/// Background behind a photographed page: a random table colour.
cv::Scalar table_color(std::mt19937_64& rng);

}  // namespace ecg::render::detail
