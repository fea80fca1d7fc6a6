#include "render/page_layout.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/strings.h"
#include "data/record.h"

namespace ecg::render {
namespace {

using Rows = std::vector<std::vector<std::string>>;

const Rows kGrid3x4 = {{"I", "aVR", "V1", "V4"}, {"II", "aVL", "V2", "V5"}, {"III", "aVF", "V3", "V6"}};
const Rows kGrid6x2 = {{"I", "V1"}, {"II", "V2"}, {"III", "V3"}, {"aVR", "V4"}, {"aVL", "V5"}, {"aVF", "V6"}};

std::string canonical_lead(const std::string& name) {
  for (const auto& s : data::standard_leads())
    if (data::same_lead_name(s, name)) return s;
  throw Error(str("page.rhythm_leads: unknown lead '", name, "'", did_you_mean(name, data::standard_leads()),
                  " (expected one of ", join(data::standard_leads(), ", "), ")"));
}

}  // namespace

PageLayout make_layout(const PageOptions& o) {
  PageLayout p;
  if (o.paper() == "letter") {
    p.width_mm = 279.4;
    p.height_mm = 215.9;
  } else {
    ECG_CHECK(o.paper() == "a4", "page.paper: expected letter or a4, got '", o.paper(), "'");
    p.width_mm = 297.0;
    p.height_mm = 210.0;
  }
  ECG_CHECK(o.dpi() > 0 && o.speed_mm_s() > 0 && o.gain_mm_mv() > 0,
            "page: dpi, speed_mm_s and gain_mm_mv must be > 0");
  p.px_per_mm = o.dpi() / 25.4;
  p.width_px = static_cast<int>(std::lround(p.width_mm * p.px_per_mm));
  p.height_px = static_cast<int>(std::lround(p.height_mm * p.px_per_mm));

  Rows grid;
  std::vector<std::string> rhythm;
  size_t rhythm_count = 0;
  const auto& layout = o.layout();
  if (layout == "3x4" || layout == "3x4+1" || layout == "3x4+3") {
    grid = kGrid3x4;
    rhythm_count = layout == "3x4" ? 0 : layout == "3x4+1" ? 1 : 3;
    rhythm = layout == "3x4+3" ? std::vector<std::string>{"II", "V1", "V5"} : std::vector<std::string>{"II"};
  } else if (layout == "6x2") {
    grid = kGrid6x2;
  } else if (layout == "12x1") {
    for (const auto& l : data::standard_leads()) rhythm.push_back(l);
    rhythm_count = 12;
  } else if (layout == "2x1") {
    rhythm = {"II", "V1"};
    rhythm_count = 2;
  } else {
    throw Error(str("page.layout: unknown layout '", layout, "' (expected 3x4, 3x4+1, 3x4+3, 6x2, 12x1 or 2x1)"));
  }
  rhythm.resize(rhythm_count);
  if (o.rhythm_leads()) {
    ECG_CHECK(o.rhythm_leads()->size() == rhythm_count, "page.rhythm_leads: layout ", layout, " takes ", rhythm_count,
              " rhythm leads, got ", o.rhythm_leads()->size());
    rhythm = *o.rhythm_leads();
  }
  for (auto& r : rhythm) r = canonical_lead(r);

  p.columns = grid.empty() ? 1 : static_cast<int>(grid[0].size());
  p.rows = static_cast<int>(grid.size() + rhythm.size());
  p.trace_x0_mm = o.margin_mm() + o.pulse_mm();
  p.trace_width_mm = p.width_mm - p.trace_x0_mm - o.margin_mm();
  const double top = o.header_mm(), bottom = p.height_mm - o.footer_mm() - o.margin_mm();
  p.row_height_mm = (bottom - top) / p.rows;
  ECG_CHECK(p.trace_width_mm > 10 && p.row_height_mm > 5, "page: the ", o.paper(),
            " page with these margins has no room for layout ", layout, " (rows of ", p.row_height_mm, " mm, traces ",
            p.trace_width_mm, " mm wide)");
  // Whole seconds per column where they fit (2.5 s columns at 25 mm/s on letter paper).
  p.strip_s = std::min(10.0, p.trace_width_mm / o.speed_mm_s());
  const double column_s = p.strip_s / p.columns;
  for (int r = 0; r < p.rows; ++r) {
    const double row_top = top + r * p.row_height_mm;
    const double baseline = row_top + 0.6 * p.row_height_mm;
    p.row_baseline_mm.push_back(baseline);
    const double reach = o.row_overlap() * p.row_height_mm;
    const double clip_top = std::max(top - 0.5 * p.row_height_mm, row_top - reach);
    const double clip_bottom = std::min(p.height_mm - o.margin_mm(), row_top + p.row_height_mm + reach);
    const bool is_rhythm = r >= static_cast<int>(grid.size());
    const auto& leads = is_rhythm ? std::vector<std::string>{rhythm[static_cast<size_t>(r) - grid.size()]}
                                  : grid[static_cast<size_t>(r)];
    for (size_t c = 0; c < leads.size(); ++c) {
      Panel panel;
      panel.lead = leads[c];
      panel.row = r;
      panel.column = static_cast<int64_t>(c);
      panel.rhythm = is_rhythm || p.columns == 1;
      panel.t0_s = is_rhythm ? 0.0 : static_cast<double>(c) * column_s;
      panel.t1_s = is_rhythm ? p.strip_s : panel.t0_s + column_s;
      panel.x0_mm = p.trace_x0_mm + panel.t0_s * o.speed_mm_s();
      panel.baseline_mm = baseline;
      panel.clip_top_mm = clip_top;
      panel.clip_bottom_mm = clip_bottom;
      p.panels.push_back(panel);
    }
  }
  return p;
}

}  // namespace ecg::render
