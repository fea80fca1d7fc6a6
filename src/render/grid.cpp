#include "render/grid.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/error.h"

namespace ecg::render {
namespace {

// Coverage in [0, 1] of each pixel along one axis by minor and major lines.
void coverage(int n, double px_per_mm, double origin_mm, double minor_w, double major_w, std::vector<float>* minor,
              std::vector<float>* major) {
  minor->assign(static_cast<size_t>(n), 0.f);
  major->assign(static_cast<size_t>(n), 0.f);
  const double origin_px = origin_mm * px_per_mm - 0.5;
  const auto k0 = static_cast<int64_t>(std::floor((-origin_px - major_w) / px_per_mm)) - 1;
  const auto k1 = static_cast<int64_t>(std::ceil((n - origin_px + major_w) / px_per_mm)) + 1;
  for (int64_t k = k0; k <= k1; ++k) {
    const bool is_major = ((k % 5) + 5) % 5 == 0;
    const double w = is_major ? major_w : minor_w;
    if (w <= 0) continue;
    const double c = origin_px + static_cast<double>(k) * px_per_mm, a = c - w / 2, b = c + w / 2;
    auto& out = is_major ? *major : *minor;
    for (auto i = static_cast<int64_t>(std::floor(a)); i <= static_cast<int64_t>(std::ceil(b)); ++i) {
      if (i < 0 || i >= n) continue;
      const double cov = std::min(b, i + 0.5) - std::max(a, i - 0.5);
      if (cov > 0)
        out[static_cast<size_t>(i)] = std::max(out[static_cast<size_t>(i)], static_cast<float>(std::min(1.0, cov)));
    }
  }
}

inline void blend(uint8_t* px, const cv::Vec3b& c, float a) {
  for (int ch = 0; ch < 3; ++ch) px[ch] = static_cast<uint8_t>(px[ch] + (c[ch] - px[ch]) * a + 0.5f);
}

}  // namespace

void grid_colors(const std::string& name, cv::Vec3b* minor, cv::Vec3b* major) {
  // RGB pairs, written BGR below. red is ecg-image-kit's default.
  struct Pair {
    const char* name;
    int minor[3], major[3];
  };
  static const Pair kPairs[] = {{"red", {254, 223, 219}, {255, 0, 0}},      {"pink", {255, 228, 235}, {236, 120, 150}},
                                {"brown", {242, 226, 206}, {160, 105, 55}}, {"blue", {214, 229, 250}, {55, 105, 200}},
                                {"green", {214, 244, 214}, {50, 150, 75}},  {"bw", {215, 215, 215}, {135, 135, 135}}};
  for (const auto& p : kPairs) {
    if (name != p.name) continue;
    *minor =
        cv::Vec3b(static_cast<uint8_t>(p.minor[2]), static_cast<uint8_t>(p.minor[1]), static_cast<uint8_t>(p.minor[0]));
    *major =
        cv::Vec3b(static_cast<uint8_t>(p.major[2]), static_cast<uint8_t>(p.major[1]), static_cast<uint8_t>(p.major[0]));
    return;
  }
  throw Error("page.grid_color: unknown colour '" + name + "' (expected red, pink, brown, blue, green or bw)");
}

void draw_grid(cv::Mat& image, const GridStyle& s) {
  ECG_CHECK(image.type() == CV_8UC3 && image.isContinuous(), "draw_grid: expected a continuous CV_8UC3 image");
  image.setTo(cv::Scalar(s.paper[0], s.paper[1], s.paper[2]));
  if (s.kind == "none") return;
  ECG_CHECK(s.kind == "lines" || s.kind == "dots", "page.grid: expected lines, dots or none, got '", s.kind, "'");
  const int w = image.cols, h = image.rows;
  std::vector<float> cmin, cmaj, rmin, rmaj;
  coverage(w, s.px_per_mm, s.origin_x_mm, s.minor_px, s.major_px, &cmin, &cmaj);
  coverage(h, s.px_per_mm, s.origin_y_mm, s.minor_px, s.major_px, &rmin, &rmaj);
  const size_t row_bytes = static_cast<size_t>(w) * 3;
  if (s.kind == "dots") {
    // A dot where a row line crosses a column line: coverage is the product.
    for (int y = 0; y < h; ++y) {
      const float ry = std::max(rmin[static_cast<size_t>(y)], rmaj[static_cast<size_t>(y)]);
      if (ry <= 0) continue;
      const bool major_row = rmaj[static_cast<size_t>(y)] > 0;
      uint8_t* row = image.ptr<uint8_t>(y);
      for (int x = 0; x < w; ++x) {
        const float cx = std::max(cmin[static_cast<size_t>(x)], cmaj[static_cast<size_t>(x)]);
        if (cx <= 0) continue;
        const bool major = major_row && cmaj[static_cast<size_t>(x)] > 0;
        blend(row + 3 * x, major ? s.major : s.minor, std::min(1.f, ry * cx * 1.5f));
      }
    }
    return;
  }
  // Lines: one template row with the vertical lines, copied into every row, then the
  // horizontal lines blended over it (under the vertical major lines).
  std::vector<uint8_t> tmpl(row_bytes);
  std::memcpy(tmpl.data(), image.ptr<uint8_t>(0), row_bytes);
  for (int x = 0; x < w; ++x) {
    if (cmin[static_cast<size_t>(x)] > 0)
      blend(&tmpl[3 * static_cast<size_t>(x)], s.minor, cmin[static_cast<size_t>(x)]);
    if (cmaj[static_cast<size_t>(x)] > 0)
      blend(&tmpl[3 * static_cast<size_t>(x)], s.major, cmaj[static_cast<size_t>(x)]);
  }
  for (int y = 0; y < h; ++y) {
    uint8_t* row = image.ptr<uint8_t>(y);
    std::memcpy(row, tmpl.data(), row_bytes);
    const float a_min = rmin[static_cast<size_t>(y)], a_maj = rmaj[static_cast<size_t>(y)];
    if (a_min <= 0 && a_maj <= 0) continue;
    for (int x = 0; x < w; ++x) {
      uint8_t* px = row + 3 * x;
      const float keep = 1.f - cmaj[static_cast<size_t>(x)];  // vertical major lines stay on top of minor rows
      if (a_min > 0) blend(px, s.minor, a_min * keep);
      if (a_maj > 0) blend(px, s.major, a_maj);
    }
  }
}

}  // namespace ecg::render
