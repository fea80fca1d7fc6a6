#pragma once
// Reading one page: image -> geometry -> canonical page -> ink -> layout -> traces ->
// calibrated signals. The trace step is the only one that differs between readers
// (trace_reader.h); everything else is shared, so the classical reader and a learned one
// see the same canonical page, rows and panels.
// A page without a grid is first read at the page-size scale; where it shows calibration
// pulses, their height (1 mV at the layout's gain) sets the scale and the page is warped
// and laid out again (geometry.scale_source "pulse").
//
//   auto reader = make_trace_reader("classical");
//   PageReading r = read_page(bgr, *reader, PageReadOptions{});
//   r.signals.leads   // each lead over its panel, at fs_hz

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "digitize/ink_map.h"
#include "digitize/layout_finder.h"
#include "digitize/page_geometry.h"
#include "digitize/page_signals.h"
#include "digitize/trace_reader.h"
#include "render/ground_truth.h"

namespace ecg::digitize {

struct PageReadOptions {
  GeometryOptions geometry;
  LayoutOptions layout;  // px_per_mm is taken from the geometry
  double fs_hz = 500;
  bool keep_canonical = false;  // keep the canonical page and ink (plots, debugging)
  // Oracle stages (truth_layout.h): the page's truth, and which stages take it instead of
  // the image. Both false: the page is read from the image alone.
  const render::PageTruth* truth = nullptr;
  bool truth_scale = false, truth_layout = false;
};

struct PageReading {
  PageGeometry geometry;
  FoundLayout layout;
  std::vector<RowTrace> traces;  // canonical pixels, one per layout row
  PageSignals signals;
  std::string reader;  // the trace reader's name
  double seconds = 0;  // wall time of the whole reading
  cv::Mat canonical;   // when keep_canonical
  InkMap ink;          // when keep_canonical
};

// What page reading finds before the trace step: the geometry, the canonical page, its
// ink and the layout (with the pulse scale and the oracle stages applied).
struct PageLayoutReading {
  PageGeometry geometry;
  cv::Mat canonical;
  InkMap ink;
  FoundLayout layout;
};

/// The steps of read_page before the trace reader: what `predict` shares with `digitize`
/// for a digitiser without a trace step. Throws as read_page does.
PageLayoutReading read_page_layout(const cv::Mat& image, const PageReadOptions& options);

/// Throws ecg::Error for an image that is not 8-bit BGR / grey, fs_hz <= 0, or a page on
/// which no ECG row is found ("no ECG trace rows found").
PageReading read_page(const cv::Mat& image, const TraceReader& reader, const PageReadOptions& options);

/// Maps canonical pixels back onto the input image (the inverse of to_canonical).
cv::Point2d to_input(const PageGeometry& geometry, cv::Point2d canonical_px);

}  // namespace ecg::digitize
