#include "digitize/truth_layout.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.h"

namespace ecg::digitize {
namespace {

cv::Point2d to_canonical(const PageGeometry& g, cv::Point2d p) {
  return render::map_point(g.to_canonical, {p.x - 0.5, p.y - 0.5});
}

struct TruthLead {
  const render::LeadTruth* lead = nullptr;
  double y_px = 0;   // median canonical y of its plotted pixels
  double x0_px = 0;  // canonical x of t = 0 of its row, from its first plotted sample
};

}  // namespace

void apply_truth_scale(PageGeometry& g, const render::PageTruth& t) {
  ECG_CHECK(t.px_per_mm_x > 0 && t.px_per_mm_y > 0, "page truth ", t.id, ": no grid scale (px per mm ", t.px_per_mm_x,
            " x ", t.px_per_mm_y, ")");
  g.px_per_mm_x = t.px_per_mm_x;
  g.px_per_mm_y = t.px_per_mm_y;
  g.scale_source = "truth";
  set_canonical_transform(g, g.canonical_px_per_mm);
}

FoundLayout truth_layout(const render::PageTruth& t, const PageGeometry& g, const FoundLayout& found) {
  const double s = found.px_per_mm, pps = found.speed_mm_s * s;
  std::vector<TruthLead> leads;
  for (const auto& l : t.leads) {
    const double fs = l.sampling_frequency > 0 ? l.sampling_frequency : t.sampling_frequency;
    std::vector<double> ys;
    double x0 = std::nan("");
    for (size_t k = 0; k < l.plotted_pixels.size(); ++k) {
      const auto& p = l.plotted_pixels[k];
      if (std::isnan(p.x) || std::isnan(p.y)) continue;
      const cv::Point2d c = to_canonical(g, p);
      ys.push_back(c.y);
      if (std::isnan(x0) && fs > 0) x0 = c.x - static_cast<double>(l.start_sample + static_cast<int64_t>(k)) / fs * pps;
    }
    if (ys.empty() || std::isnan(x0)) continue;
    std::nth_element(ys.begin(), ys.begin() + static_cast<std::ptrdiff_t>(ys.size() / 2), ys.end());
    leads.push_back({&l, ys[ys.size() / 2], x0});
  }
  ECG_CHECK(!leads.empty(), "page truth ", t.id, ": no plotted lead");
  // Rows: leads whose median y lie within 10 mm of each other, top to bottom.
  std::sort(leads.begin(), leads.end(), [](const TruthLead& a, const TruthLead& b) { return a.y_px < b.y_px; });
  std::vector<std::vector<TruthLead>> rows;
  for (const auto& l : leads) {
    if (rows.empty() || l.y_px - rows.back().back().y_px > 10 * s) rows.emplace_back();
    rows.back().push_back(l);
  }
  FoundLayout out = found;
  out.rows.clear();
  out.layout.panels.clear();
  out.layout.row_baseline_mm.clear();
  out.name = t.layout.empty() ? found.name : t.layout;
  const double spacing = rows.size() > 1 ? (rows.back()[0].y_px - rows.front()[0].y_px) / (rows.size() - 1) : 30 * s;
  int max_columns = 1;
  for (size_t r = 0; r < rows.size(); ++r) {
    auto& row_leads = rows[r];
    std::sort(row_leads.begin(), row_leads.end(),
              [](const TruthLead& a, const TruthLead& b) { return a.lead->start_sample < b.lead->start_sample; });
    double y = 0, x0 = 0;
    for (const auto& l : row_leads) y += l.y_px, x0 += l.x0_px;
    y /= static_cast<double>(row_leads.size());
    x0 /= static_cast<double>(row_leads.size());
    RowFinding row;
    const RowFinding* near = nullptr;
    for (const auto& f : found.rows)
      if (std::abs(f.y_px - y) < spacing / 3 && (!near || std::abs(f.y_px - y) < std::abs(near->y_px - y))) near = &f;
    if (near) {
      row = *near;
    } else {
      row.y_px = row.zero_px = y;
      row.pulse = false;
      row.gain_mm_mv = t.gain_mm_mv > 0 ? t.gain_mm_mv : 10;
    }
    row.x0_px = x0;
    row.columns = static_cast<int>(row_leads.size());
    max_columns = std::max(max_columns, row.columns);
    out.layout.row_baseline_mm.push_back((row.zero_px + 0.5) / s);
    for (size_t c = 0; c < row_leads.size(); ++c) {
      const auto& l = *row_leads[c].lead;
      const double fs = l.sampling_frequency > 0 ? l.sampling_frequency : t.sampling_frequency;
      render::Panel p;
      p.lead = l.lead_name;
      p.row = static_cast<int64_t>(r);
      p.column = static_cast<int64_t>(c);
      p.rhythm = l.rhythm || row_leads.size() == 1;
      p.t0_s = static_cast<double>(l.start_sample) / fs;
      p.t1_s = static_cast<double>(l.end_sample) / fs;
      p.x0_mm = (x0 + p.t0_s * pps + 0.5) / s;
      p.baseline_mm = (row.zero_px + 0.5) / s;
      out.strip_s = std::max(out.strip_s, p.t1_s);
      out.layout.panels.push_back(p);
    }
    out.rows.push_back(row);
  }
  out.layout.rows = static_cast<int>(out.rows.size());
  out.layout.columns = max_columns;
  out.layout.strip_s = out.strip_s;
  out.zero_source = "pulse";
  for (const auto& row : out.rows)
    if (!row.pulse) out.zero_source = "trace";
  return out;
}

}  // namespace ecg::digitize
