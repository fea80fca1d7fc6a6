#include "digitize/page_reader.h"

#include <chrono>

#include "core/error.h"
#include "digitize/truth_layout.h"

namespace ecg::digitize {

PageReading read_page(const cv::Mat& image, const TraceReader& reader, const PageReadOptions& o) {
  ECG_CHECK(o.fs_hz > 0, "read_page: fs must be > 0, got ", o.fs_hz);
  const auto start = std::chrono::steady_clock::now();
  PageReading r;
  r.reader = reader.name();
  ECG_CHECK(o.truth || (!o.truth_scale && !o.truth_layout), "read_page: truth_scale / truth_layout need a page truth");
  r.geometry = find_geometry(image, o.geometry);
  if (o.truth_scale) apply_truth_scale(r.geometry, *o.truth);
  cv::Mat page = warp_to_canonical(image, r.geometry);
  InkMap ink = find_ink(page, r.geometry.canonical_px_per_mm);
  LayoutOptions lo = o.layout;
  lo.px_per_mm = r.geometry.canonical_px_per_mm;
  r.layout = find_layout(ink, lo);
  if (o.truth_layout) r.layout = truth_layout(*o.truth, r.geometry, r.layout);
  r.traces = reader.read(PageView{page, ink, r.layout});
  r.signals = to_signals(r.layout, r.traces, o.fs_hz);
  if (o.keep_canonical) {
    r.canonical = page;
    r.ink = std::move(ink);
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

cv::Point2d to_input(const PageGeometry& g, cv::Point2d p) {
  const cv::Matx33d inv = g.to_canonical.inv();
  const cv::Vec3d v = inv * cv::Vec3d(p.x, p.y, 1.0);
  return {v[0] / v[2], v[1] / v[2]};
}

}  // namespace ecg::digitize
