#pragma once
// A picture of what a digitiser read off a page: the page as the model saw it (resized
// to its input), and below it the traces it predicted, each lead over its panel's
// columns, aligned column for column with the image. Panels that do not overlap share a
// strip, so a 3x4 page gives three strips in the page's own order.
//
//   cv::Mat m = digitize_plot(cv::imread("scan.png"), traces, io);   // traces [leads, W] mV
//
// Strips span 4 mV at 20 px per mV (the printed scale of a 200 dpi page shrunk 4x), with
// a line at 0 mV and 0.5 mV ticks; the lead name starts each panel. Predictions outside
// the strip are clipped to it.

#include <torch/types.h>

#include <opencv2/core.hpp>

#include "export/model_io.h"

namespace ecg::exporting {

/// `page_bgr` any size (resized to the output width `traces.size(1)` and the model's
/// input height); `traces` [leads, W] in `io.lead_order`. With_page false leaves the page
/// out (the strips only, e.g. to publish what was read off a page that cannot be shown).
/// Throws ecg::Error when the shapes disagree or io has no panels.
cv::Mat digitize_plot(const cv::Mat& page_bgr, const torch::Tensor& traces, const ModelIo& io, bool with_page = true);

}  // namespace ecg::exporting
