#include "digitize/page_reader.h"

#include <algorithm>
#include <chrono>

#include "core/error.h"
#include "digitize/truth_layout.h"

namespace ecg::digitize {

PageLayoutReading read_page_layout(const cv::Mat& image, const PageReadOptions& o) {
  ECG_CHECK(o.truth || (!o.truth_scale && !o.truth_layout), "read_page: truth_scale / truth_layout need a page truth");
  PageLayoutReading r;
  r.geometry = find_geometry(image, o.geometry);
  if (o.truth_scale) apply_truth_scale(r.geometry, *o.truth);
  r.canonical = warp_to_canonical(image, r.geometry);
  r.ink = find_ink(r.canonical, r.geometry.canonical_px_per_mm);
  LayoutOptions lo = o.layout;
  lo.px_per_mm = r.geometry.canonical_px_per_mm;
  r.layout = find_layout(r.ink, lo);
  // No grid (or a "grid" that makes the pulses no standard height, 5, 10 or 20 mm within
  // 8 %: periodic structure that is not a grid): the calibration pulses (1 mV drawn
  // `gain_mm_mv` tall) give the scale; the page is warped and read again at it.
  std::vector<double> heights;
  for (const auto& row : r.layout.rows)
    if (row.pulse) heights.push_back(row.pulse_height_mm);
  if (!heights.empty() && r.geometry.scale_source != "truth") {
    std::nth_element(heights.begin(), heights.begin() + static_cast<std::ptrdiff_t>(heights.size() / 2), heights.end());
    const double mm = heights[heights.size() / 2];
    const bool standard = std::abs(mm / 5 - 1) < 0.08 || std::abs(mm / 10 - 1) < 0.08 || std::abs(mm / 20 - 1) < 0.08;
    if (r.geometry.scale_source == "page" || !standard) {
      const double k = mm / lo.gain_mm_mv;
      r.geometry.scale_source = "pulse";
      if (k > 0.5 && k < 2 && std::abs(k - 1) > 0.002) {
        r.geometry.px_per_mm_x *= k;
        r.geometry.px_per_mm_y *= k;
        set_canonical_transform(r.geometry, r.geometry.canonical_px_per_mm);
        r.canonical = warp_to_canonical(image, r.geometry);
        r.ink = find_ink(r.canonical, r.geometry.canonical_px_per_mm);
        r.layout = find_layout(r.ink, lo);
      }
    }
  }
  if (o.truth_layout) r.layout = truth_layout(*o.truth, r.geometry, r.layout);
  return r;
}

PageReading read_page(const cv::Mat& image, const TraceReader& reader, const PageReadOptions& o) {
  ECG_CHECK(o.fs_hz > 0, "read_page: fs must be > 0, got ", o.fs_hz);
  const auto start = std::chrono::steady_clock::now();
  PageLayoutReading l = read_page_layout(image, o);
  PageReading r;
  r.reader = reader.name();
  r.geometry = l.geometry;
  r.layout = std::move(l.layout);
  r.traces = reader.read(PageView{l.canonical, l.ink, r.layout});
  r.signals = to_signals(r.layout, r.traces, o.fs_hz);
  if (o.keep_canonical) {
    r.canonical = l.canonical;
    r.ink = std::move(l.ink);
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

cv::Point2d to_input(const PageGeometry& g, cv::Point2d p) {
  return render::map_point(g.to_canonical.inv(), p);
}

}  // namespace ecg::digitize
