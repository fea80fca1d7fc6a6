#include "digitize/strip_cutter.h"

#include <algorithm>
#include <cmath>

#include <torch/torch.h>
#include <opencv2/imgproc.hpp>

#include "core/error.h"

namespace ecg::digitize {
namespace {

// The canonical rows strip row r averages: pixel k covers [k - 0.5, k + 0.5], strip row r
// covers [y(r) - step / 2, y(r) + step / 2]; weights are the overlaps, normalised.
struct RowWeights {
  std::vector<int> first;  // per strip row, the first canonical row
  std::vector<float> w;    // per strip row, kTaps weights from `first`
  int taps = 0;
};

RowWeights row_weights(double y_top, double step, int64_t height, int page_rows) {
  RowWeights rw;
  rw.taps = static_cast<int>(std::ceil(std::max(step, 1.0))) + 2;
  rw.first.resize(static_cast<size_t>(height));
  rw.w.assign(static_cast<size_t>(height * rw.taps), 0.0f);
  for (int64_t r = 0; r < height; ++r) {
    const double centre = y_top + static_cast<double>(r) * step;
    const double half = 0.5 * std::max(step, 1.0);
    const double lo = centre - half, hi = centre + half;
    const int k0 = static_cast<int>(std::floor(lo + 0.5));
    rw.first[static_cast<size_t>(r)] = k0;
    double total = 0;
    for (int t = 0; t < rw.taps; ++t) {
      const int k = k0 + t;
      const double overlap = std::min(hi, k + 0.5) - std::max(lo, k - 0.5);
      if (overlap <= 0) continue;
      total += overlap;
      // Rows outside the page read paper: they count in the total but add nothing.
      if (k >= 0 && k < page_rows) rw.w[static_cast<size_t>(r * rw.taps + t)] = static_cast<float>(overlap);
    }
    if (total > 0)
      for (int t = 0; t < rw.taps; ++t) rw.w[static_cast<size_t>(r * rw.taps + t)] /= static_cast<float>(total);
  }
  return rw;
}

}  // namespace

double row_pitch_px(const FoundLayout& layout, const StripOptions& o) {
  std::vector<double> gaps;
  for (size_t i = 1; i < layout.rows.size(); ++i) gaps.push_back(layout.rows[i].zero_px - layout.rows[i - 1].zero_px);
  if (gaps.empty()) return o.single_row_pitch_mm * layout.px_per_mm;
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2), gaps.end());
  return gaps[gaps.size() / 2];
}

std::vector<Strip> cut_strips(const cv::Mat& page, const InkMap& ink, const FoundLayout& layout,
                              const StripOptions& o) {
  ECG_CHECK(!page.empty() && page.type() == CV_8UC3, "cut_strips: the canonical page must be 8-bit BGR, got type ",
            page.type(), page.empty() ? " (empty)" : "");
  ECG_CHECK(ink.darkness.size() == page.size() && ink.darkness.type() == CV_32F,
            "cut_strips: the ink map must be CV_32F of the page's size ", page.cols, " x ", page.rows);
  ECG_CHECK(o.columns_per_s > 0, "cut_strips: columns_per_s must be > 0, got ", o.columns_per_s);
  ECG_CHECK(o.height_px >= 16, "cut_strips: height_px must be >= 16, got ", o.height_px);
  ECG_CHECK(o.height_rows > 0, "cut_strips: height_rows must be > 0, got ", o.height_rows);
  ECG_CHECK(layout.px_per_mm > 0 && layout.speed_mm_s > 0 && layout.strip_s > 0,
            "cut_strips: the layout has no scale, speed or strip length");
  cv::Mat grey;
  cv::cvtColor(page, grey, cv::COLOR_BGR2GRAY);
  cv::subtract(cv::Scalar(255), grey, grey);  // exact: paper reads 0, not -1e-7
  grey.convertTo(grey, CV_32F, 1.0 / 255.0);

  const double pitch = row_pitch_px(layout, o);
  const double step_y = o.height_rows * pitch / static_cast<double>(o.height_px);
  const double step_x = layout.speed_mm_s * layout.px_per_mm / o.columns_per_s;
  const int64_t columns = std::llround(layout.strip_s * o.columns_per_s);
  const int64_t height = o.height_px;
  const cv::Mat* channels[2] = {&ink.darkness, &grey};

  std::vector<Strip> strips;
  for (size_t ri = 0; ri < layout.rows.size(); ++ri) {
    const auto& row = layout.rows[ri];
    Strip s;
    s.row = static_cast<int>(ri);
    s.x0_px = row.x0_px;
    s.x_step_px = step_x;
    s.zero_px = row.zero_px;
    s.y_step_px = step_y;
    s.y_top_px = row.zero_px - 0.5 * static_cast<double>(height - 1) * step_y;
    s.px_per_mm = layout.px_per_mm;
    const RowWeights rw = row_weights(s.y_top_px, step_y, height, page.rows);
    // The canonical columns the strip interpolates between.
    const int cx0 = static_cast<int>(std::floor(s.x0_px));
    const int cx1 = static_cast<int>(std::floor(s.x_canonical(static_cast<double>(columns - 1)))) + 1;
    const int wc = cx1 - cx0 + 1;
    s.image = torch::zeros({2, height, columns}, torch::kFloat);
    std::vector<float> col(static_cast<size_t>(height * wc));
    std::vector<int> left(static_cast<size_t>(columns));
    std::vector<float> frac(static_cast<size_t>(columns));
    for (int64_t c = 0; c < columns; ++c) {
      const double x = s.x_canonical(static_cast<double>(c));
      const int i = static_cast<int>(std::floor(x));
      left[static_cast<size_t>(c)] = i - cx0;
      frac[static_cast<size_t>(c)] = static_cast<float>(x - i);
    }
    for (int ch = 0; ch < 2; ++ch) {
      const cv::Mat& m = *channels[ch];
      // Vertical pass: [height, wc], canonical columns cx0 .. cx1.
      std::fill(col.begin(), col.end(), 0.0f);
      for (int64_t r = 0; r < height; ++r) {
        float* out = col.data() + r * wc;
        for (int t = 0; t < rw.taps; ++t) {
          const float w = rw.w[static_cast<size_t>(r * rw.taps + t)];
          if (w == 0) continue;
          const float* in = m.ptr<float>(rw.first[static_cast<size_t>(r)] + t);
          for (int x = std::max(cx0, 0); x <= std::min(cx1, page.cols - 1); ++x) out[x - cx0] += w * in[x];
        }
      }
      // Horizontal pass: linear interpolation at x_canonical(c).
      float* dst = s.image[ch].data_ptr<float>();
      for (int64_t r = 0; r < height; ++r) {
        const float* src = col.data() + r * wc;
        float* out = dst + r * columns;
        for (int64_t c = 0; c < columns; ++c) {
          const int a = left[static_cast<size_t>(c)];
          const float f = frac[static_cast<size_t>(c)];
          out[c] = (1 - f) * src[a] + f * src[std::min(a + 1, wc - 1)];
        }
      }
    }
    strips.push_back(std::move(s));
  }
  return strips;
}

nlohmann::json strip_options_json(const StripOptions& o) {
  return {{"columns_per_s", o.columns_per_s},
          {"height_px", o.height_px},
          {"height_rows", o.height_rows},
          {"single_row_pitch_mm", o.single_row_pitch_mm}};
}

StripOptions strip_options_from_json(const nlohmann::json& j, const std::string& source) {
  StripOptions o;
  try {
    o.columns_per_s = j.at("columns_per_s").get<double>();
    o.height_px = j.at("height_px").get<int64_t>();
    o.height_rows = j.at("height_rows").get<double>();
    o.single_row_pitch_mm = j.at("single_row_pitch_mm").get<double>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(source + ": bad strip options: " + e.what());
  }
  ECG_CHECK(o.columns_per_s > 0 && o.columns_per_s <= 1e5 && o.height_px >= 16 && o.height_px <= 4096 &&
                o.height_rows > 0 && o.height_rows <= 100 && o.single_row_pitch_mm > 0,
            source,
            ": bad strip options: columns_per_s in (0, 1e5], height_px in [16, 4096], height_rows in (0, 100] "
            "and single_row_pitch_mm > 0 expected");
  return o;
}

}  // namespace ecg::digitize
