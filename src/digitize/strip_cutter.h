#pragma once
// Row strips: the input of a learned trace reader, cut from a canonical page along the
// layout that page reading found. The same cutter serves training (the trace_strips
// dataset) and `ecgtorch digitize`, so what a reader learns on is what it reads.
//
// A strip is centred on its row's zero line and holds `height_rows` row pitches (the
// median spacing of the page's zero lines; `single_row_pitch_mm` on a one-row page), so
// the neighbours' traces are in view. Its rows and columns map to canonical pixels by
//   y_canonical(r) = y_top_px + r * y_step_px        r = 0 .. height_px - 1
//   x_canonical(c) = x0_px + c * x_step_px            c = 0 .. columns - 1
// with x0_px the row's time origin and x_step_px = speed * px_per_mm / columns_per_s:
// column c is the row's sample c at columns_per_s (500 Hz by default), exactly where
// page_signals.h reads it. Vertically each strip row averages the canonical rows it
// covers (area resampling: a 2 px trace never falls between samples); horizontally the
// canonical columns are linearly interpolated. Outside the page the strip reads paper (0).
//
// Channels (float, [0, 1], 1 = dark):
//   0  trace ink: the ink map's darkness, the grid's colour left out (ink_map.h)
//   1  grey: 1 - grey / 255 (OpenCV's BGR -> grey weights), grid included
//
//   StripOptions o;                      // 500 columns per s, 256 rows, 2.5 row pitches
//   std::vector<Strip> s = cut_strips(canonical_bgr, ink, found, o);
//   s[k].image   // [2, height_px, columns] f32, row k of the layout

#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "digitize/ink_map.h"
#include "digitize/layout_finder.h"

namespace ecg::digitize {

struct StripOptions {
  double columns_per_s = 500;       // one column per output sample
  int64_t height_px = 256;          // strip rows
  double height_rows = 2.5;         // row pitches the strip spans
  double single_row_pitch_mm = 40;  // the pitch of a page with one row
};

/// {"columns_per_s", "height_px", "height_rows", "single_row_pitch_mm"}: how a reader's
/// strips are cut, as it travels with an exported reader (export/model_io.h).
nlohmann::json strip_options_json(const StripOptions& options);
/// Throws ecg::Error naming `source` for a missing key or a value out of range.
StripOptions strip_options_from_json(const nlohmann::json& j, const std::string& source);

struct Strip {
  torch::Tensor image;  // [2, height_px, columns] f32
  int row = 0;          // index into the layout's rows
  double x0_px = 0, x_step_px = 0;
  double y_top_px = 0, y_step_px = 0;
  double zero_px = 0;    // the row's zero line (canonical px), as the layout found it
  double px_per_mm = 0;  // of the canonical page; the strip's vertical scale is px_per_mm / y_step_px

  double x_canonical(double column) const { return x0_px + column * x_step_px; }
  double y_canonical(double strip_row) const { return y_top_px + strip_row * y_step_px; }
  double strip_row(double y_canonical_px) const { return (y_canonical_px - y_top_px) / y_step_px; }
};

/// The page's row pitch in canonical px: the median spacing of consecutive zero lines.
double row_pitch_px(const FoundLayout& layout, const StripOptions& options);

/// One strip per row of `layout` (in order), `round(strip_s * columns_per_s)` columns
/// each. Throws ecg::Error for an empty or non-8-bit-BGR page, an ink map of another
/// size, or options out of range (columns_per_s <= 0, height_px < 16, height_rows <= 0).
std::vector<Strip> cut_strips(const cv::Mat& canonical_bgr, const InkMap& ink, const FoundLayout& layout,
                              const StripOptions& options);

}  // namespace ecg::digitize
