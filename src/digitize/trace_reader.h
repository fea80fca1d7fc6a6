#pragma once
// TraceReader: the step that reads each lead row's trace off a canonical page. Everything
// before it (geometry, ink, layout) and after it (signals.h) is shared, so a learned reader
// and the classical one differ only here.
//
// A reader returns, per row of the found layout, a polyline in canonical pixels: x
// increasing, y the trace's centre line, and a confidence in [0, 1] per point (0: the
// point was interpolated over a gap, a separator or the pulse).
//
//   std::unique_ptr<TraceReader> r = make_trace_reader("classical");
//   std::vector<RowTrace> traces = r->read(PageView{page, ink, found});

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "digitize/ink_map.h"
#include "digitize/layout_finder.h"

namespace ecg::digitize {

struct RowTrace {
  std::vector<double> x_px, y_px;  // canonical pixels, x increasing
  std::vector<float> confidence;   // per point
  double line_width_px = 0;        // the trace's width as drawn
};

struct PageView {
  const cv::Mat& image;  // canonical BGR
  const InkMap& ink;
  const FoundLayout& layout;
};

class TraceReader {
 public:
  virtual ~TraceReader() = default;
  virtual std::string name() const = 0;
  /// One RowTrace per layout row, in order.
  virtual std::vector<RowTrace> read(const PageView& page) const = 0;
};

/// The registered readers by name: "classical" (classical_reader.h). Throws ecg::Error
/// listing the names for an unknown one.
std::unique_ptr<TraceReader> make_trace_reader(const std::string& name);

/// The names make_trace_reader knows.
std::vector<std::string> trace_reader_names();

}  // namespace ecg::digitize
