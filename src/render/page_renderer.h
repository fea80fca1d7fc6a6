#pragma once
// PageRenderer: draws a record as a printed 12-lead ECG page with OpenCV, and its exact
// ground truth (ground_truth.h).
//
//   PageRenderer r(options);                  // loads the font once
//   Page page = r.render(record, seed);       // image CV_8UC3 (BGR) + truth
//
// What is drawn, in order: paper, grid (1 mm minor and 5 mm major lines, or dots at the
// minor crossings, or nothing; widths and colours from the options, jittered per page),
// calibration pulses (0.2 s x 1 mV) at the start of each row, the traces (anti-aliased
// polylines at 1/16 px precision through the exact sample positions, clipped to each
// row's printer band), column separators, lead labels (FreeType), the header (id, date,
// HR, PR/QRS/QT, filters), the speed/gain footer and an optional QR code.
// A lead missing from the record is left out; samples past the record's end are not
// drawn; a NaN sample breaks the trace.
// HR in the header comes from the synthesiser's beats when given, else it is measured
// (R peaks of lead II); the intervals come from the fiducials, else they are plausible
// printed values.
// The same (record, options, seed) gives the same bytes. One renderer per thread: the
// FreeType face is not shared across threads.

#include <opencv2/core.hpp>
#include <opencv2/freetype.hpp>

#include <cstdint>
#include <vector>

#include "data/record.h"
#include "data/synth.h"
#include "render/ground_truth.h"
#include "render/page_layout.h"
#include "render/page_options.h"

namespace ecg::render {

struct Page {
  cv::Mat image;  // CV_8UC3, BGR
  PageTruth truth;
};

/// Draws a polyline through sub-pixel points `width_px` wide; a NaN point breaks it and a
/// lone point becomes a dot. `line_type` cv::LINE_AA for images (the fast column
/// rasteriser of trace_raster.h when x never decreases, else cv::polylines at 1/16 px),
/// cv::LINE_8 for masks (cv::polylines, width rounded to whole pixels).
void draw_trace(cv::Mat& image, const std::vector<cv::Point2d>& points, const cv::Scalar& color, double width_px,
                int line_type);

class PageRenderer {
 public:
  /// Throws ecg::Error for invalid options or a font file that cannot be loaded.
  explicit PageRenderer(PageOptions options);
  /// `beats` (optional) are the synthesiser's fiducials: they give keypoints and intervals.
  Page render(const data::Record& record, uint64_t seed, const std::vector<data::BeatFiducials>* beats = nullptr) const;
  const PageOptions& options() const { return options_; }
  const PageLayout& layout() const { return layout_; }

 private:
  PageOptions options_;
  PageLayout layout_;
  cv::Ptr<cv::freetype::FreeType2> font_;
};

}  // namespace ecg::render
