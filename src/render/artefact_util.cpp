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

void remap_image(Page& page, const CoarseGrid& grid, const cv::Mat& src_x, const cv::Mat& src_y,
                 const cv::Scalar& background, cv::Mat* mx, cv::Mat* my) {
  *mx = grid.upsample(src_x);
  *my = grid.upsample(src_y);
  cv::Mat out;
  cv::remap(page.image, out, *mx, *my, cv::INTER_LINEAR, cv::BORDER_CONSTANT, background);
  page.image = out;
}

double sample(const cv::Mat& m, double x, double y) {
  x = std::clamp(x, 0.0, m.cols - 1.001);
  y = std::clamp(y, 0.0, m.rows - 1.001);
  const int x0 = static_cast<int>(x), y0 = static_cast<int>(y);
  const double fx = x - x0, fy = y - y0;
  const float* r0 = m.ptr<float>(y0);
  const float* r1 = m.ptr<float>(y0 + 1);
  return (r0[x0] * (1 - fx) + r0[x0 + 1] * fx) * (1 - fy) + (r1[x0] * (1 - fx) + r1[x0 + 1] * fx) * fy;
}

}  // namespace

void warp_homography(Page& page, const cv::Matx33d& h, const cv::Scalar& background) {
  const cv::Matx33d inv = h.inv();
  const CoarseGrid grid{page.image.size(), 16};
  cv::Mat sx, sy, mx, my;
  grid.sample(
      [&](double x, double y) {
        const cv::Vec3d p = inv * cv::Vec3d(x, y, 1);
        return cv::Point2d(p[0] / p[2], p[1] / p[2]);
      },
      &sx, &sy);
  remap_image(page, grid, sx, sy, background, &mx, &my);
  page.truth.apply_homography(h);
}

void remap_nonlinear(Page& page, const CoarseGrid& grid, const cv::Mat& src_x, const cv::Mat& src_y,
                     const cv::Scalar& background) {
  cv::Mat mx, my;
  remap_image(page, grid, src_x, src_y, background, &mx, &my);
  // A source point s lands where map(x) = s: iterate x <- x + (s - map(x)).
  page.truth.map_points([&](const cv::Point2d& s) {
    cv::Point2d x = s;
    for (int i = 0; i < 8; ++i) {
      const cv::Point2d step = s - cv::Point2d(sample(mx, x.x, x.y), sample(my, x.x, x.y));
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
  cv::Mat clamped = cv::max(cv::min(coarse, hi), lo), fixed, fixed3;
  clamped.convertTo(fixed, CV_16U, 256.0);
  cv::merge(std::vector<cv::Mat>{fixed, fixed, fixed}, fixed3);
  cv::Mat big;
  cv::resize(fixed3, big, cv::Size(fixed3.cols * grid.stride, fixed3.rows * grid.stride), 0, 0, cv::INTER_LINEAR);
  const cv::Mat k = big(cv::Rect(grid.stride, grid.stride, image.cols, image.rows));
  const int n = 3 * image.cols;
  for (int y = 0; y < image.rows; ++y) {
    const uint16_t* __restrict kk = k.ptr<uint16_t>(y);
    uint8_t* __restrict row = image.ptr<uint8_t>(y);
    for (int i = 0; i < n; ++i) row[i] = op(row[i], kk[i]);
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
