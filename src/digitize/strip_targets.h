#pragma once
// What a strip should read: the page truth of a rendered (or ecg-image-kit) page, put in
// the strip's own rows and columns, so a learned reader trains on the very strips that
// `digitize` cuts (strip_cutter.h).
//
// The truth's points are in the input image (ground_truth.h); `geometry.to_canonical`
// takes them to the canonical frame. A truth lead belongs to the strip whose zero line is
// nearest its own (its baseline through the truth's homography and to_canonical, within
// half a row pitch); a lead that no strip holds is left out. Per strip column c:
//   y_row[c]  the strip row of this row's own trace at x_canonical(c): the lead polyline
//             (one point per sample) that spans x, linearly interpolated in x; NaN where
//             none does (the pulse, between panels, past the end), the sample is NaN, or
//             the trace is beyond the strip's top or bottom row (not in view)
//   baseline_row     the strip row of the truth's 0 mV line (the mean over the row's leads)
//   rows_per_mv      strip rows per mV: px_per_mm * gain / y_step_px
//
//   auto t = strip_targets(strips, truth, reading.geometry);
//   t[k].y_row   // [columns] f32

#include <string>
#include <vector>

#include <torch/types.h>

#include "digitize/page_geometry.h"
#include "digitize/strip_cutter.h"
#include "render/ground_truth.h"

namespace ecg::digitize {

struct StripTargets {
  torch::Tensor y_row;  // [columns] f32, NaN where none
  double baseline_row = 0;
  double rows_per_mv = 0;
  std::vector<std::string> leads;  // the truth leads this strip holds, left to right
};

/// One StripTargets per strip, in order. Throws ecg::Error when the truth has no gain.
std::vector<StripTargets> strip_targets(const std::vector<Strip>& strips, const render::PageTruth& truth,
                                        const PageGeometry& geometry);

}  // namespace ecg::digitize
