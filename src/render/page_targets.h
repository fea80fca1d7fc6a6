#pragma once
// The digitiser targets of a page: what a page's ground truth and its record say each
// image column of each standard lead should read. Shared by synth_pages (pages rendered on
// the fly) and image_pages (images on disk with their JSON, e.g. ecg-image-kit's).
//
//   TraceTargets t = trace_targets(page.truth, record, image_width_px, output_width);
//   t.mv          [12, output_width] mV of the standard leads (I, II, III, aVR, aVL, aVF,
//                 V1-V6) at the image columns x_c = (c + 0.5) * image_width_px /
//                 output_width - 0.5, read off each lead's (non-rhythm) panel by linear
//                 interpolation between the samples that bracket x_c; NaN where the lead is
//                 not plotted or the printer clipped it
//   t.y_px        [12, output_width] the plotted trace row at those columns (NaN alike)
//   t.baseline_px [12] the row of 0 mV of each lead (median of y + mV * gain * px_per_mm
//                 over its samples; NaN when absent)
//   t.panel_s     [12, 2] each lead's panel: start time in the record and duration, s
//
// The truth's sample indices count in the record's samples (start_sample + k); a record
// shorter than a lead's window throws ecg::Error naming the record and the lead.

#include <torch/types.h>

#include "data/dataset.h"
#include "data/record.h"
#include "render/ground_truth.h"

namespace ecg::render {

struct TraceTargets {
  torch::Tensor mv, y_px, baseline_px, panel_s;
};

TraceTargets trace_targets(const PageTruth& truth, const data::Record& record, int64_t image_width_px,
                           int64_t output_width);

/// Puts them into an example as the digitisers expect: target = mv, extras y_px,
/// baseline_px, panel_s and px_per_mm (the truth's vertical grid scale, a scalar).
void put_trace_targets(data::Example& example, TraceTargets targets, const PageTruth& truth);

}  // namespace ecg::render
