#include "render/trace_raster.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/error.h"

namespace ecg::render {
namespace {

constexpr int kSubColumns = 4;

// Blends one column's coverage (rows [r0, r1]) into the image and clears it.
void blend_column(cv::Mat& image, int x, std::vector<float>& coverage, int r0, int r1, const int* ink) {
  const int channels = image.channels();
  for (int r = r0; r <= r1; ++r) {
    const float c = coverage[static_cast<size_t>(r)];
    coverage[static_cast<size_t>(r)] = 0.f;
    if (c <= 0.f) continue;
    const int a = std::min(255, static_cast<int>(c * 255.f + 0.5f));
    uint8_t* p = image.ptr<uint8_t>(r) + static_cast<ptrdiff_t>(x) * channels;
    for (int k = 0; k < channels; ++k) p[k] = static_cast<uint8_t>((p[k] * (255 - a) + ink[k] * a + 127) / 255);
  }
}

// Strokes one run of finite points whose x never decreases.
void stroke_run(cv::Mat& image, const cv::Point2d* pts, size_t n, const int* ink, double width,
                std::vector<float>& coverage) {
  const double half = width / 2;
  const int rows = image.rows;
  const int c0 = std::max(0, static_cast<int>(std::floor(pts[0].x - half + 0.5)));
  const int c1 = std::min(image.cols - 1, static_cast<int>(std::floor(pts[n - 1].x + half + 0.5)));
  size_t first = 0;  // first segment that can reach the current window
  for (int c = c0; c <= c1; ++c) {
    int r_lo = rows, r_hi = -1;
    for (int j = 0; j < kSubColumns; ++j) {
      const double xs = c - 0.5 + (j + 0.5) / kSubColumns;
      const double lo = xs - half, hi = xs + half;
      double y_min = INFINITY, y_max = -INFINITY;
      // Segments (a, b) = (pts[i], pts[i + 1]); a lone point is the segment (a, a).
      const size_t segments = n == 1 ? 1 : n - 1;
      while (first + 1 < segments && pts[first + 1].x < lo) ++first;
      for (size_t i = first; i < segments; ++i) {
        const cv::Point2d& a = pts[i];
        const cv::Point2d& b = pts[n == 1 ? i : i + 1];
        if (a.x > hi) break;
        if (b.x < lo) continue;
        double ya = a.y, yb = b.y;
        if (b.x > a.x) {
          const double slope = (b.y - a.y) / (b.x - a.x);
          if (a.x < lo) ya = a.y + slope * (lo - a.x);
          if (b.x > hi) yb = a.y + slope * (hi - a.x);
        }
        y_min = std::min({y_min, ya, yb});
        y_max = std::max({y_max, ya, yb});
      }
      if (y_min > y_max) continue;
      // The pen covers [top, bottom]; row r covers [r - 0.5, r + 0.5].
      const double top = y_min - half, bottom = y_max + half;
      const int ra = std::max(0, static_cast<int>(std::floor(top + 0.5)));
      const int rb = std::min(rows - 1, static_cast<int>(std::floor(bottom + 0.5)));
      for (int r = ra; r <= rb; ++r) {
        const double overlap = std::min(bottom, r + 0.5) - std::max(top, r - 0.5);
        if (overlap > 0) coverage[static_cast<size_t>(r)] += static_cast<float>(overlap / kSubColumns);
      }
      r_lo = std::min(r_lo, ra);
      r_hi = std::max(r_hi, rb);
    }
    if (r_hi >= r_lo) blend_column(image, c, coverage, r_lo, r_hi, ink);
  }
}

}  // namespace

bool stroke_monotone_trace(cv::Mat& image, const std::vector<cv::Point2d>& points, const cv::Scalar& color,
                           double width_px) {
  ECG_CHECK(image.depth() == CV_8U && (image.channels() == 1 || image.channels() == 3),
            "stroke_monotone_trace: image must be CV_8UC1 or CV_8UC3");
  ECG_CHECK(width_px > 0, "stroke_monotone_trace: width_px must be > 0");
  for (size_t i = 1; i < points.size(); ++i)
    if (points[i].x < points[i - 1].x) return false;  // NaN compares false: runs are checked apart
  int ink[3];
  for (int k = 0; k < 3; ++k) ink[k] = std::clamp(static_cast<int>(std::lround(color[k])), 0, 255);
  std::vector<float> coverage(static_cast<size_t>(image.rows), 0.f);
  size_t start = 0;
  for (size_t i = 0; i <= points.size(); ++i) {
    const bool end = i == points.size() || std::isnan(points[i].x) || std::isnan(points[i].y);
    if (!end) continue;
    if (i > start) stroke_run(image, points.data() + start, i - start, ink, width_px, coverage);
    start = i + 1;
  }
  return true;
}

}  // namespace ecg::render
