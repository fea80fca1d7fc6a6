#include "render/artefact_util.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace ecg::render::detail {

double uniform(std::mt19937_64& rng, double a, double b) {
  return a == b ? a : std::uniform_real_distribution<double>(std::min(a, b), std::max(a, b))(rng);
}

double draw(std::mt19937_64& rng, const std::vector<double>& range) {
  return uniform(rng, range.at(0), range.at(1));
}

int draw_int(std::mt19937_64& rng, const std::vector<double>& range) {
  return static_cast<int>(std::lround(draw(rng, range)));
}

void log(Page& page, const std::string& name, nlohmann::json params) {
  params["name"] = name;
  page.truth.artefacts.push_back(std::move(params));
}

cv::Matx33d rotation_homography(cv::Size size, double degrees) {
  const cv::Mat a = cv::getRotationMatrix2D(cv::Point2f(size.width / 2.f, size.height / 2.f), degrees, 1.0);
  cv::Matx33d h = cv::Matx33d::eye();
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) h(i, j) = a.at<double>(i, j);
  return h;
}

cv::Size CoarseGrid::size() const {
  return {(image.width + stride - 1) / stride + 2, (image.height + stride - 1) / stride + 2};
}

cv::Mat CoarseGrid::upsample(const cv::Mat& coarse) const {
  ECG_CHECK(coarse.type() == CV_32F && coarse.size() == size(), "CoarseGrid::upsample: field must be CV_32F of ",
            size().width, "x", size().height);
  // cv::resize puts coarse point j at big pixel (j + 0.5) * stride - 0.5 = image pixel + stride.
  cv::Mat big;
  cv::resize(coarse, big, cv::Size(coarse.cols * stride, coarse.rows * stride), 0, 0, cv::INTER_LINEAR);
  return big(cv::Rect(stride, stride, image.width, image.height));
}

cv::Mat CoarseGrid::upsample_band(const cv::Mat& coarse, int y0, cv::Mat& buffer) const {
  ECG_CHECK(coarse.size() == size(), "CoarseGrid::upsample_band: field must be ", size().width, "x", size().height);
  // Image rows [y0, y1) are big rows + stride, from coarse rows [a, b) with one more on
  // each side, so that the rows kept are interpolated, never clamped at the band's edge.
  const int a = y0 / stride, b = std::min(coarse.rows, a + band_rows() / stride + 2);
  const int y1 = std::min(image.height, y0 + band_rows());
  cv::resize(coarse.rowRange(a, b), buffer, cv::Size(coarse.cols * stride, (b - a) * stride), 0, 0, cv::INTER_LINEAR);
  return buffer(cv::Rect(stride, y0 + stride - a * stride, image.width, y1 - y0));
}

double CoarseGrid::interpolate(const cv::Mat& coarse, double px, double py) const {
  const double fx = std::clamp((px + 0.5) / stride + 0.5, 0.0, coarse.cols - 1.001);
  const double fy = std::clamp((py + 0.5) / stride + 0.5, 0.0, coarse.rows - 1.001);
  const int x0 = static_cast<int>(fx), y0 = static_cast<int>(fy);
  const double wx = fx - x0, wy = fy - y0;
  const float* r0 = coarse.ptr<float>(y0);
  const float* r1 = coarse.ptr<float>(y0 + 1);
  return (r0[x0] * (1 - wx) + r0[x0 + 1] * wx) * (1 - wy) + (r1[x0] * (1 - wx) + r1[x0 + 1] * wx) * wy;
}

void CoarseGrid::sample(const std::function<cv::Point2d(double, double)>& fn, cv::Mat* fx, cv::Mat* fy) const {
  const cv::Size s = size();
  fx->create(s, CV_32F);
  fy->create(s, CV_32F);
  for (int i = 0; i < s.height; ++i) {
    float *px = fx->ptr<float>(i), *py = fy->ptr<float>(i);
    for (int j = 0; j < s.width; ++j) {
      const cv::Point2d v = fn(x(j), y(i));
      px[j] = static_cast<float>(v.x);
      py[j] = static_cast<float>(v.y);
    }
  }
}

namespace {

// Remaps band by band, so the full-resolution maps are never materialised.
void remap_image(Page& page, const CoarseGrid& grid, const cv::Mat& src_x, const cv::Mat& src_y,
                 const cv::Scalar& background) {
  cv::Mat out(page.image.size(), page.image.type());
  cv::Mat bx, by;
  for (int y0 = 0; y0 < page.image.rows; y0 += grid.band_rows()) {
    const cv::Mat mx = grid.upsample_band(src_x, y0, bx), my = grid.upsample_band(src_y, y0, by);
    cv::Mat dst = out.rowRange(y0, y0 + mx.rows);
    cv::remap(page.image, dst, mx, my, cv::INTER_LINEAR, cv::BORDER_CONSTANT, background);
  }
  page.image = out;
}

}  // namespace

void warp_homography(Page& page, const cv::Matx33d& h, const cv::Scalar& background) {
  const cv::Matx33d inv = h.inv();
  const CoarseGrid grid{page.image.size(), 16};
  cv::Mat sx, sy;
  grid.sample(
      [&](double x, double y) {
        const cv::Vec3d p = inv * cv::Vec3d(x, y, 1);
        return cv::Point2d(p[0] / p[2], p[1] / p[2]);
      },
      &sx, &sy);
  remap_image(page, grid, sx, sy, background);
  page.truth.apply_homography(h);
}

void remap_nonlinear(Page& page, const CoarseGrid& grid, const cv::Mat& src_x, const cv::Mat& src_y,
                     const cv::Scalar& background) {
  remap_image(page, grid, src_x, src_y, background);
  // A source point s lands where map(x) = s: iterate x <- x + (s - map(x)).
  page.truth.map_points([&](const cv::Point2d& s) {
    cv::Point2d x = s;
    for (int i = 0; i < 8; ++i) {
      const cv::Point2d step = s - cv::Point2d(grid.interpolate(src_x, x.x, x.y), grid.interpolate(src_y, x.x, x.y));
      x += step;
      if (std::abs(step.x) + std::abs(step.y) < 1e-4) break;
    }
    return x;
  });
  page.truth.nonlinear = true;
}

cv::Mat smooth_field(std::mt19937_64& rng, cv::Size size, int cells) {
  cv::Mat small(cells, cells, CV_32F);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  for (int y = 0; y < cells; ++y)
    for (int x = 0; x < cells; ++x) small.at<float>(y, x) = u(rng);
  cv::Mat big;
  cv::resize(small, big, size, 0, 0, cv::INTER_CUBIC);
  return big;
}

namespace {

// row[i] = op(row[i], k[i]), where k is the coarse field clamped to [lo, hi] in 8.8 fixed
// point, replicated to three channels and upsampled by cv::resize (all vectorised).
template <class Op>
void per_pixel_fixed_point(cv::Mat& image, const CoarseGrid& grid, const cv::Mat& coarse, float lo, float hi, Op op) {
  ECG_CHECK(
      image.type() == CV_8UC3 && image.size() == grid.image && coarse.type() == CV_32F && coarse.size() == grid.size(),
      "per-pixel field: expected a CV_8UC3 image of the grid's size and a CV_32F field of the grid");
  cv::Mat clamped = cv::max(cv::min(coarse, hi), lo), fixed, fixed3, buffer;
  clamped.convertTo(fixed, CV_16U, 256.0);
  cv::merge(std::vector<cv::Mat>{fixed, fixed, fixed}, fixed3);
  const int n = 3 * image.cols;
  for (int y0 = 0; y0 < image.rows; y0 += grid.band_rows()) {  // bands stay in cache
    const cv::Mat k = grid.upsample_band(fixed3, y0, buffer);
    for (int y = 0; y < k.rows; ++y) {
      const uint16_t* __restrict kk = k.ptr<uint16_t>(y);
      uint8_t* __restrict row = image.ptr<uint8_t>(y0 + y);
      for (int i = 0; i < n; ++i) row[i] = op(row[i], kk[i]);
    }
  }
}

}  // namespace

void multiply_by_field(cv::Mat& image, const CoarseGrid& grid, const cv::Mat& factor) {
  per_pixel_fixed_point(image, grid, factor, 0.f, 255.f, [](uint32_t p, uint32_t k) {
    return static_cast<uint8_t>(std::min<uint32_t>((p * k + 128) >> 8, 255u));
  });
}

void fade_by_field(cv::Mat& image, const CoarseGrid& grid, const cv::Mat& amount) {
  per_pixel_fixed_point(image, grid, amount, 0.f, 1.f,
                        [](uint32_t p, uint32_t k) { return static_cast<uint8_t>(p + (((255u - p) * k + 128) >> 8)); });
}

void scale_channels(cv::Mat& image, const cv::Scalar& factors) {
  ECG_CHECK(image.type() == CV_8UC3, "scale_channels: image must be CV_8UC3");
  cv::Mat lut(1, 256, CV_8UC3);
  for (int i = 0; i < 256; ++i)
    for (int c = 0; c < 3; ++c) lut.at<cv::Vec3b>(i)[c] = cv::saturate_cast<uint8_t>(i * factors[c]);
  cv::LUT(image, lut, image);
}

cv::Scalar paper_color(const cv::Mat& image) {
  std::vector<int> grey;
  for (int y = 0; y < image.rows; y += 37) {
    const uint8_t* r = image.ptr<uint8_t>(y);
    for (int x = 0; x < image.cols; x += 41) grey.push_back((r[3 * x] + r[3 * x + 1] + r[3 * x + 2]) / 3);
  }
  if (grey.empty()) return cv::Scalar::all(255);
  std::nth_element(grey.begin(), grey.begin() + static_cast<std::ptrdiff_t>(grey.size() * 95 / 100), grey.end());
  return cv::Scalar::all(grey[grey.size() * 95 / 100]);
}

cv::Scalar table_color(std::mt19937_64& rng) {
  const double v = uniform(rng, 20, 120);
  return cv::Scalar(v * uniform(rng, 0.7, 1.0), v * uniform(rng, 0.8, 1.0), v * uniform(rng, 0.8, 1.2));
}

}  // namespace ecg::render::detail
