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

void warp_homography(Page& page, const cv::Matx33d& h, const cv::Scalar& background) {
  cv::Mat out;
  cv::warpPerspective(page.image, out, cv::Mat(h), page.image.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                      background);
  page.image = out;
  page.truth.apply_homography(h);
}

namespace {
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

void remap_displacement(Page& page, const cv::Mat& dx, const cv::Mat& dy, const cv::Scalar& background) {
  ECG_CHECK(dx.type() == CV_32F && dy.type() == CV_32F && dx.size() == page.image.size() && dy.size() == dx.size(),
            "remap_displacement: maps must be CV_32F of the image size");
  cv::Mat mx(dx.size(), CV_32F), my(dy.size(), CV_32F);
  for (int y = 0; y < dx.rows; ++y) {
    const float *ddx = dx.ptr<float>(y), *ddy = dy.ptr<float>(y);
    float *ox = mx.ptr<float>(y), *oy = my.ptr<float>(y);
    for (int x = 0; x < dx.cols; ++x) {
      ox[x] = static_cast<float>(x) + ddx[x];
      oy[x] = static_cast<float>(y) + ddy[x];
    }
  }
  cv::Mat out;
  cv::remap(page.image, out, mx, my, cv::INTER_LINEAR, cv::BORDER_CONSTANT, background);
  page.image = out;
  // A source point s lands where x + d(x) = s: iterate x <- s - d(x).
  page.truth.map_points([&](const cv::Point2d& s) {
    cv::Point2d x = s;
    for (int i = 0; i < 8; ++i) x = s - cv::Point2d(sample(dx, x.x, x.y), sample(dy, x.x, x.y));
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

void multiply_by_field(cv::Mat& image, const cv::Mat& factor) {
  ECG_CHECK(factor.type() == CV_32F && factor.size() == image.size(),
            "multiply_by_field: factor must be CV_32F of the image size");
  for (int y = 0; y < image.rows; ++y) {
    uint8_t* row = image.ptr<uint8_t>(y);
    const float* f = factor.ptr<float>(y);
    for (int x = 0; x < image.cols; ++x)
      for (int c = 0; c < 3; ++c) row[3 * x + c] = cv::saturate_cast<uint8_t>(row[3 * x + c] * f[x]);
  }
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
