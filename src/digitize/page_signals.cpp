#include "digitize/page_signals.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace ecg::digitize {

double trace_mode_px(const std::vector<double>& y) {
  if (y.empty()) return 0;
  const auto [lo_it, hi_it] = std::minmax_element(y.begin(), y.end());
  const double lo = *lo_it, bin = 0.25;
  const size_t nb = static_cast<size_t>((*hi_it - lo) / bin) + 1;
  std::vector<double> h(nb, 0.0);
  for (double v : y) h[static_cast<size_t>((v - lo) / bin)] += 1;
  size_t best = 0;
  double best_v = -1;
  for (size_t i = 0; i < nb; ++i) {
    double v = 0;
    for (size_t j = i >= 2 ? i - 2 : 0; j <= std::min(nb - 1, i + 2); ++j) v += h[j];
    if (v > best_v) best_v = v, best = i;
  }
  return lo + (static_cast<double>(best) + 0.5) * bin;
}

PageSignals to_signals(const FoundLayout& f, const std::vector<RowTrace>& traces, double fs) {
  ECG_CHECK(fs > 0, "signals: fs must be > 0, got ", fs);
  ECG_CHECK(traces.size() == f.rows.size(), "signals: ", traces.size(), " traces for ", f.rows.size(), " rows");
  PageSignals out;
  out.fs_hz = fs;
  out.num_samples = static_cast<int64_t>(std::llround(f.strip_s * fs));
  const double s = f.px_per_mm, pps = f.speed_mm_s * s;
  for (size_t r = 0; r < f.rows.size(); ++r) {
    const auto& row = f.rows[r];
    out.zero_px.push_back(row.pulse ? row.zero_px : trace_mode_px(traces[r].y_px));
  }
  for (const auto& panel : f.layout.panels) {
    const size_t r = static_cast<size_t>(panel.row);
    const auto& row = f.rows[r];
    const auto& t = traces[r];
    LeadSignal ls;
    ls.lead = panel.lead;
    ls.row = static_cast<int>(panel.row);
    ls.column = static_cast<int>(panel.column);
    ls.rhythm = panel.rhythm;
    ls.start_sample = std::llround(panel.t0_s * fs);
    ls.end_sample = std::min(out.num_samples, static_cast<int64_t>(std::llround(panel.t1_s * fs)));
    const double xa = row.x0_px + panel.t0_s * pps - 0.5, xb = row.x0_px + panel.t1_s * pps + 0.5;
    // The trace's points inside this panel.
    const auto first = std::lower_bound(t.x_px.begin(), t.x_px.end(), xa);
    const auto last = std::upper_bound(t.x_px.begin(), t.x_px.end(), xb);
    const size_t i0 = static_cast<size_t>(first - t.x_px.begin()), i1 = static_cast<size_t>(last - t.x_px.begin());
    const double mv_per_px = 1.0 / (row.gain_mm_mv * s);
    const double zero = out.zero_px[r];
    int64_t read = 0;
    ls.mv.reserve(static_cast<size_t>(std::max<int64_t>(0, ls.end_sample - ls.start_sample)));
    size_t k = i0;
    for (int64_t n = ls.start_sample; n < ls.end_sample; ++n) {
      const double x = row.x0_px + static_cast<double>(n) / fs * pps;
      double y = zero;
      if (i1 > i0) {
        while (k + 1 < i1 && t.x_px[k + 1] <= x) ++k;
        if (x <= t.x_px[i0]) {
          y = t.y_px[i0];
        } else if (k + 1 >= i1) {
          y = t.y_px[i1 - 1];
        } else {
          const double w = (x - t.x_px[k]) / std::max(1e-9, t.x_px[k + 1] - t.x_px[k]);
          y = (1 - w) * t.y_px[k] + w * t.y_px[k + 1];
          if (t.x_px[k + 1] - t.x_px[k] <= 1.5) ++read;
        }
      }
      ls.mv.push_back(static_cast<float>((zero - y) * mv_per_px));
    }
    const int64_t len = ls.end_sample - ls.start_sample;
    ls.confidence = len > 0 ? static_cast<double>(read) / static_cast<double>(len) : 0;
    out.leads.push_back(std::move(ls));
  }
  return out;
}

}  // namespace ecg::digitize
