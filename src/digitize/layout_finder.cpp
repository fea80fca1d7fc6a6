#include "digitize/layout_finder.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/strings.h"

namespace ecg::digitize {
namespace {

using Rows = std::vector<std::vector<std::string>>;

// Topmost ink pixel of column x in [y0, y1) that is part of a line: with ink below it,
// or on both sides (a 1 px thin bar), not a lone speck of noise; -1 when none.
int top_ink(const cv::Mat& mask, int x, int y0, int y1) {
  auto ink = [&](int y, int c) { return c >= 0 && c < mask.cols && mask.at<uint8_t>(y, c) != 0; };
  for (int y = std::max(0, y0); y + 1 < std::min(mask.rows, y1); ++y)
    if (ink(y, x) && (ink(y + 1, x) || (ink(y, x - 1) && ink(y, x + 1)))) return y;
  return -1;
}

// The ink run of column x that contains or starts nearest below y, as [top, bottom]; false
// when there is none in [y0, y1).
bool run_at(const cv::Mat& mask, int x, int y, int y0, int y1, int* top, int* bottom) {
  y0 = std::max(0, y0);
  y1 = std::min(mask.rows, y1);
  int s = std::clamp(y, y0, y1 - 1);
  while (s < y1 && !mask.at<uint8_t>(s, x)) ++s;
  if (s >= y1) return false;
  int t = s, b = s;
  while (t - 1 >= y0 && mask.at<uint8_t>(t - 1, x)) --t;
  while (b + 1 < y1 && mask.at<uint8_t>(b + 1, x)) ++b;
  *top = t;
  *bottom = b;
  return true;
}

// Rows of a layout that is none of the standard ones: full strips in the standard order.
std::string fallback_lead(int row) {
  static const char* kLeads[] = {"I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"};
  return kLeads[row % 12];
}

double snap_gain(double mm_per_mv) {
  for (double g : {5.0, 10.0, 20.0})
    if (std::abs(mm_per_mv / g - 1) < 0.1) return g;
  return mm_per_mv;
}

// Finds the calibration pulse at the left end of a row (see the header).
void find_pulse(const cv::Mat& mask, const cv::Mat& dark, double s, double prev_y, RowFinding& r) {
  const int x_begin = static_cast<int>(r.ink_left_px);
  const int x_end = std::min(mask.cols, static_cast<int>(r.ink_left_px + 15 * s));
  const int y_top = static_cast<int>(std::max(prev_y + 1 * s, r.y_px - 25 * s));
  const int y_bottom = static_cast<int>(r.y_px + 1 * s);
  std::vector<int> tops;
  for (int x = x_begin; x < x_end; ++x) tops.push_back(top_ink(mask, x, y_top, y_bottom));
  // The first column standing at least 4 mm above the row, within 3 mm of its start.
  size_t i = 0;
  while (i < tops.size() && (tops[i] < 0 || r.y_px - tops[i] < 4 * s)) ++i;
  if (i >= tops.size() || i > 3 * s) return;
  // The flat top: later columns at the same height (+-0.6 mm); the median height decides.
  size_t j = i;
  while (j + 1 < tops.size() && tops[j + 1] >= 0 && std::abs(tops[j + 1] - tops[i]) <= 0.6 * s) ++j;
  const double width = static_cast<double>(j - i + 1);
  if (width < 3 * s || width > 12 * s) return;
  const int xl = x_begin + static_cast<int>(i), xr = x_begin + static_cast<int>(j);
  std::vector<int> mid_tops(tops.begin() + static_cast<std::ptrdiff_t>(i),
                            tops.begin() + static_cast<std::ptrdiff_t>(j) + 1);
  std::nth_element(mid_tops.begin(), mid_tops.begin() + static_cast<std::ptrdiff_t>(mid_tops.size() / 2),
                   mid_tops.end());
  const int top = mid_tops[mid_tops.size() / 2];
  // Line width: the top bar's thickness in its middle column.
  int tt = 0, tb = 0;
  if (!run_at(mask, (xl + xr) / 2, top, y_top, y_bottom, &tt, &tb)) return;
  const double lw = tb - tt + 1;
  // The foot: the lowest ink of the rising stroke (the falling one may run into the trace).
  // Walked down from the top bar, over holes of up to 0.6 mm (noise, JPEG, a thin stroke
  // that resampling left broken).
  int foot = -1;
  const int max_hole = std::max(2, static_cast<int>(0.6 * s));
  const int limit = std::min(mask.rows - 1, static_cast<int>(r.y_px + 3 * s));
  for (int x = xl; x <= std::min(xl + 2, mask.cols - 1); ++x) {
    int y = top, last = -1, holes = 0;
    while (y <= limit && holes <= max_hole) {
      if (mask.at<uint8_t>(y, x)) {
        last = y;
        holes = 0;
      } else if (last >= 0) {
        ++holes;
      } else if (y > top + lw + 2) {
        break;  // this column never met the bar
      }
      ++y;
    }
    foot = std::max(foot, last);
  }
  if (foot < 0) return;
  // Sub-pixel: the bar's centre and width from its darkness, the stroke's end from the
  // partial coverage of the pixel below its last one.
  const int xm = (xl + xr) / 2;
  auto dark_at = [&](int y, int x) {
    return y >= 0 && y < dark.rows && x >= 0 && x < dark.cols ? static_cast<double>(dark.at<float>(y, x)) : 0.0;
  };
  // The paper's own darkness here (noise, stains): the lighter of the pixels 3 px off the bar.
  const double bg = std::min(dark_at(tt - 3, xm), dark_at(tb + 3, xm));
  double dmax = 1e-6, dsum = 0, ysum = 0;
  for (int y = std::max(0, tt - 1); y <= std::min(dark.rows - 1, tb + 1); ++y) {
    const double d = std::max(0.0, dark.at<float>(y, xm) - bg);
    dmax = std::max(dmax, d);
    dsum += d;
    ysum += d * y;
  }
  const double bar_centre = ysum / std::max(1e-6, dsum), bar_width = dsum / dmax;
  const int xs = xl + 1 < dark.cols ? xl + 1 : xl;
  const double below = std::max(0.0, dark_at(foot + 1, xs) - std::min(bg, dark_at(foot + 3, xs)));
  const double foot_edge = foot + 0.5 + std::clamp(below / dmax, 0.0, 1.0);
  const double zero = foot_edge - 0.5 * bar_width;  // the stroke ends half a width past 0 mV
  const double height_px = zero - bar_centre;
  if (height_px < 4 * s) return;
  r.pulse = true;
  r.pulse_left_px = xl;
  r.pulse_right_px = xr;
  r.pulse_top_px = bar_centre;
  r.zero_px = zero;
  r.pulse_height_mm = height_px / s;
  r.gain_mm_mv = snap_gain(r.pulse_height_mm);
}

// The centre of a separator bar (a vertical run of 3-20 mm across the zero line, as wide
// 2 px to its right) within +-1.5 mm of x: its darkness-weighted centre column, which
// blur and JPEG leave in place; NaN when there is none.
double separator_at(const cv::Mat& mask, const cv::Mat& dark, double x, double zero_px, double s) {
  const int x0 = std::max(0, static_cast<int>(x - 1.5 * s)),
            x1 = std::min(mask.cols - 1, static_cast<int>(x + 1.5 * s));
  for (int c = x0; c <= x1; ++c) {
    int t = 0, b = 0;
    if (!run_at(mask, c, static_cast<int>(zero_px - 2 * s), static_cast<int>(zero_px - 2 * s),
                static_cast<int>(zero_px + 25 * s), &t, &b))
      continue;
    const double len = b - t + 1;
    if (!(len >= 3 * s && len <= 20 * s && t <= zero_px + 1 * s && b >= zero_px - 1 * s)) continue;
    int t2 = 0, b2 = 0;
    if (!(c + 2 < mask.cols && run_at(mask, c + 2, t, t, b + 1, &t2, &b2) && t2 <= t + 2 && b2 >= b - 2)) continue;
    // Column sums of darkness over the bar's rows, less the lightest column's.
    const int a0 = std::max(0, c - 6), a1 = std::min(dark.cols - 1, c + 8);
    std::vector<double> col;
    for (int xx = a0; xx <= a1; ++xx) {
      double sum = 0;
      for (int y = t; y <= b; ++y) sum += dark.at<float>(y, xx);
      col.push_back(sum);
    }
    const double lo = *std::min_element(col.begin(), col.end());
    double w = 0, wx = 0;
    for (size_t k = 0; k < col.size(); ++k) {
      const double v = col[k] - lo;
      // Only the bar's own columns: more than half its peak.
      w += v;
      wx += v * (a0 + static_cast<double>(k));
    }
    double peak = 0;
    for (double v : col) peak = std::max(peak, v - lo);
    w = 0, wx = 0;
    for (size_t k = 0; k < col.size(); ++k) {
      const double v = col[k] - lo;
      if (v < 0.5 * peak) continue;
      w += v;
      wx += v * (a0 + static_cast<double>(k));
    }
    return w > 0 ? wx / w : c;
  }
  return std::nan("");
}

}  // namespace

Rows standard_rows(const std::string& layout, const std::vector<std::string>& rhythm_leads) {
  const Rows grid3x4 = {{"I", "aVR", "V1", "V4"}, {"II", "aVL", "V2", "V5"}, {"III", "aVF", "V3", "V6"}};
  auto with_rhythm = [&](Rows rows, std::vector<std::string> defaults) {
    if (!rhythm_leads.empty()) defaults = rhythm_leads;
    for (const auto& l : defaults) rows.push_back({l});
    return rows;
  };
  if (layout == "3x4") return grid3x4;
  if (layout == "3x4+1") return with_rhythm(grid3x4, {"II"});
  if (layout == "3x4+3") return with_rhythm(grid3x4, {"II", "V1", "V5"});
  if (layout == "6x2") return {{"I", "V1"}, {"II", "V2"}, {"III", "V3"}, {"aVR", "V4"}, {"aVL", "V5"}, {"aVF", "V6"}};
  if (layout == "12x1")
    return with_rhythm({}, {"I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"});
  if (layout == "2x1") return with_rhythm({}, {"II", "V1"});
  throw Error(str("layout: unknown layout '", layout, "' (expected auto, 3x4, 3x4+1, 3x4+3, 6x2, 12x1 or 2x1)"));
}

FoundLayout find_layout(const InkMap& ink, const LayoutOptions& o) {
  const cv::Mat& mask = ink.mask;
  const double s = o.px_per_mm;
  // Separators are found on the mask closed vertically over 0.6 mm: a thin bar that
  // resampling or JPEG left broken is one run again.
  cv::Mat vmask;
  cv::morphologyEx(
      mask, vmask, cv::MORPH_CLOSE,
      cv::getStructuringElement(cv::MORPH_RECT, cv::Size(1, std::max(3, 2 * static_cast<int>(0.3 * s) + 1))));
  ECG_CHECK(!mask.empty() && s > 0, "layout: empty ink map or non-positive px_per_mm");
  FoundLayout out;
  out.px_per_mm = s;
  out.speed_mm_s = o.speed_mm_s;
  const double pps = o.speed_mm_s * s;

  // Row profile, smoothed over about 1 mm.
  cv::Mat prof;
  cv::reduce(mask, prof, 1, cv::REDUCE_SUM, CV_32F);
  prof = prof.reshape(1, 1) / 255.0f;
  const int k = std::max(3, static_cast<int>(std::lround(s)) | 1);
  cv::GaussianBlur(prof, prof, cv::Size(k, 1), 0.5 * s);
  const float* p = prof.ptr<float>(0);
  const int h = prof.cols;
  double peak_max = 0;
  for (int y = 0; y < h; ++y) peak_max = std::max(peak_max, static_cast<double>(p[y]));
  ECG_CHECK(peak_max > 0, "no ink found on the page");
  const int win = static_cast<int>(4 * s);
  std::vector<int> peaks;
  for (int y = 0; y < h; ++y) {
    if (p[y] < 0.2 * peak_max) continue;
    bool is_max = true;
    for (int d = -win; d <= win && is_max; ++d) {
      const int yy = y + d;
      if (d == 0 || yy < 0 || yy >= h) continue;
      is_max = p[y] > p[yy] || (p[y] == p[yy] && d > 0);
    }
    if (!is_max) continue;
    // Coverage: columns with ink within +-2 mm.
    const int y0 = std::max(0, static_cast<int>(y - 2 * s)), y1 = std::min(mask.rows, static_cast<int>(y + 2 * s) + 1);
    cv::Mat band;
    cv::reduce(mask.rowRange(y0, y1), band, 0, cv::REDUCE_MAX);
    if (cv::countNonZero(band) < 0.25 * mask.cols) continue;
    if (!peaks.empty() && y - peaks.back() < 8 * s) {
      if (p[y] > p[peaks.back()]) peaks.back() = y;
      continue;
    }
    peaks.push_back(y);
  }
  ECG_CHECK(!peaks.empty(), "no ECG trace rows found (no row of ink spans a quarter of the page)");

  for (size_t r = 0; r < peaks.size(); ++r) {
    RowFinding row;
    row.y_px = peaks[r];
    row.zero_px = peaks[r];
    row.gain_mm_mv = o.gain_mm_mv;
    const double up = r > 0 ? peaks[r] - peaks[r - 1] : (peaks.size() > 1 ? peaks[1] - peaks[0] : 30 * s);
    const double down = r + 1 < peaks.size() ? peaks[r + 1] - peaks[r] : up;
    const double hb = std::min(0.45 * up, 0.45 * down);
    // The row's ink extent: the widest run of columns with ink within +-hb, gaps up to 10 mm.
    cv::Mat band;
    const int y0 = std::max(0, static_cast<int>(peaks[r] - hb)),
              y1 = std::min(mask.rows, static_cast<int>(peaks[r] + hb) + 1);
    cv::reduce(mask.rowRange(y0, y1), band, 0, cv::REDUCE_MAX);
    const uint8_t* b = band.ptr<uint8_t>(0);
    int best_l = -1, best_r = -1, cur_l = -1, last = -1;
    for (int x = 0; x < mask.cols; ++x) {
      if (!b[x]) continue;
      if (cur_l < 0 || x - last > 10 * s) cur_l = x;
      last = x;
      if (last - cur_l > best_r - best_l) best_l = cur_l, best_r = last;
    }
    row.ink_left_px = best_l;
    row.ink_right_px = best_r;
    find_pulse(mask, ink.darkness, s, r > 0 ? peaks[r - 1] : -1e9, row);
    out.rows.push_back(row);
  }
  // Trace rows span most of the widest row; header and footer text, a crease or a page
  // edge do not.
  double widest = 0;
  for (const auto& row : out.rows) widest = std::max(widest, row.ink_right_px - row.ink_left_px);
  out.rows.erase(
      std::remove_if(out.rows.begin(), out.rows.end(),
                     [&](const RowFinding& row) { return row.ink_right_px - row.ink_left_px < 0.6 * widest; }),
      out.rows.end());
  // Pulses again with the final neighbours (a dropped text row no longer bounds the search).
  for (size_t r = 0; r < out.rows.size(); ++r) {
    if (out.rows[r].pulse) continue;
    find_pulse(mask, ink.darkness, s, r > 0 ? out.rows[r - 1].y_px : -1e9, out.rows[r]);
  }

  // Strip duration and time origin per row. The trace ends where its last sample is drawn
  // (plus half a line width); its start follows the pulse where one is drawn.
  std::vector<double> lengths, with_pulse;
  for (auto& row : out.rows) {
    const double start = row.pulse ? row.pulse_right_px : row.ink_left_px;
    lengths.push_back((row.ink_right_px - start) / pps);
    if (row.pulse) with_pulse.push_back(lengths.back());
  }
  if (!with_pulse.empty()) lengths = with_pulse;  // their start is the trace's, not a stray mark's
  std::vector<double> sorted = lengths;
  std::sort(sorted.begin(), sorted.end());
  out.strip_s = std::max(0.5, std::round(2 * sorted[sorted.size() / 2]) / 2);
  // Candidate origins: from the ends (the last sample, at strip_s less one sample period
  // with 500 Hz taken as the source's rate, lies half a line width inside the ink's end)
  // (the last pixel's partial coverage takes about half a pixel more) and from the starts (the trace begins where the
  // pulse ends, or at its first ink). A wave running out of the row can cut its end short, so the page's medians of
  // both compete, and the one that puts the most separator bars at panel boundaries wins; a row keeps its own end
  // estimate where that agrees within 0.5 mm.
  const double lw = 0.3 * s;  // 0.75 pt, ecg-image-kit's and most printers' trace
  std::vector<double> from_end, from_start;
  for (auto& row : out.rows) {
    row.x0_px = row.ink_right_px - 0.5 * lw - (out.strip_s - 1.0 / 500) * pps;
    from_end.push_back(row.x0_px);
    from_start.push_back(row.pulse ? row.pulse_right_px - 0.5 * lw : row.ink_left_px + 0.5 * lw - 0.5);
  }
  auto median_of = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  auto bars_for = [&](double x0) {
    int n = 0;
    for (const auto& row : out.rows)
      for (int c = 1; c <= 3; ++c)
        n += !std::isnan(separator_at(vmask, ink.darkness, x0 + c * out.strip_s / 4 * pps, row.zero_px, s));
    return n;
  };
  const double end_x0 = median_of(from_end), start_x0 = median_of(from_start);
  const double page_x0 = bars_for(start_x0) > bars_for(end_x0) ? start_x0 : end_x0;
  for (auto& row : out.rows)
    if (std::abs(row.x0_px - page_x0) > 0.5 * s) row.x0_px = page_x0;
  // Where a row shows its separators, their centres fix its origin best.
  for (auto& row : out.rows) {
    std::vector<double> at;
    for (int c = 1; c <= 3; ++c) {
      const double xb = separator_at(vmask, ink.darkness, row.x0_px + c * out.strip_s / 4 * pps, row.zero_px, s);
      if (!std::isnan(xb)) at.push_back(xb - c * out.strip_s / 4 * pps);
    }
    if (at.size() >= 2) row.x0_px = median_of(at);
  }

  // Columns per row from the separators.
  for (auto& row : out.rows) {
    int four = 0;
    for (int c = 1; c <= 3; ++c)
      four += !std::isnan(separator_at(vmask, ink.darkness, row.x0_px + c * out.strip_s / 4 * pps, row.zero_px, s));
    const bool two = !std::isnan(separator_at(vmask, ink.darkness, row.x0_px + out.strip_s / 2 * pps, row.zero_px, s));
    row.columns = four >= 2 ? 4 : (two ? 2 : 1);
    row.separators = four >= 2 ? four : (two ? 1 : 0);
  }

  // The layout: asked for, or recognised from the rows.
  std::string name = o.layout;
  const int n = static_cast<int>(out.rows.size());
  if (name == "auto") {
    int n4 = 0, n2 = 0;
    for (const auto& row : out.rows) n4 += row.columns == 4, n2 += row.columns == 2;
    const bool top3_four = n >= 3 && out.rows[0].columns == 4 && out.rows[1].columns == 4 && out.rows[2].columns == 4;
    if (n == 6 && n2 >= 3)
      name = "6x2";
    else if ((top3_four || n4 == 0) && n == 3)
      name = "3x4";
    else if ((top3_four || n4 == 0) && n == 4)
      name = "3x4+1";
    else if ((top3_four || n4 == 0) && n == 6)
      name = "3x4+3";
    else if (n == 12)
      name = "12x1";
    else if (n == 2)
      name = "2x1";
    else if (top3_four)
      name = "3x4+1";  // extra strips beyond the first get the rows' own order
    else
      name = str("rows-", n);
  }
  Rows leads;
  if (name.rfind("rows-", 0) == 0) {
    for (int r = 0; r < n; ++r) leads.push_back({fallback_lead(r)});
  } else {
    leads = standard_rows(name, o.rhythm_leads);
  }
  ECG_CHECK(static_cast<int>(leads.size()) <= n || o.layout == "auto", "layout ", name, " has ", leads.size(),
            " rows but the page shows ", n);
  out.name = name;
  out.zero_source = "pulse";
  for (const auto& row : out.rows)
    if (!row.pulse) out.zero_source = "trace";

  for (auto& row : out.rows) row.x0_px += o.trace_lag_s * pps;

  // The shared page model, in the canonical frame's mm.
  render::PageLayout& L = out.layout;
  L.px_per_mm = s;
  L.width_px = mask.cols;
  L.height_px = mask.rows;
  L.width_mm = mask.cols / s;
  L.height_mm = mask.rows / s;
  L.strip_s = out.strip_s;
  L.rows = n;
  L.columns = 1;
  L.row_height_mm = n > 1 ? (out.rows.back().y_px - out.rows.front().y_px) / (n - 1) / s : 0;
  for (int r = 0; r < n && r < static_cast<int>(leads.size()); ++r) {
    const auto& row = out.rows[static_cast<size_t>(r)];
    const auto& names = leads[static_cast<size_t>(r)];
    const int cols = static_cast<int>(names.size());
    L.columns = std::max(L.columns, cols);
    L.row_baseline_mm.push_back((row.zero_px + 0.5) / s);
    for (int c = 0; c < cols; ++c) {
      render::Panel panel;
      panel.lead = names[static_cast<size_t>(c)];
      panel.row = r;
      panel.column = c;
      panel.rhythm = cols == 1;
      panel.t0_s = out.strip_s * c / cols;
      panel.t1_s = out.strip_s * (c + 1) / cols;
      panel.x0_mm = (row.x0_px + panel.t0_s * pps + 0.5) / s;
      panel.baseline_mm = (row.zero_px + 0.5) / s;
      const double up = r > 0 ? row.y_px - out.rows[static_cast<size_t>(r) - 1].y_px : row.y_px;
      const double down = r + 1 < n ? out.rows[static_cast<size_t>(r) + 1].y_px - row.y_px : mask.rows - row.y_px;
      panel.clip_top_mm = (row.y_px - up + 0.5) / s;
      panel.clip_bottom_mm = (row.y_px + down + 0.5) / s;
      L.panels.push_back(panel);
    }
  }
  L.trace_x0_mm = out.rows.empty() ? 0 : (out.rows[0].x0_px + 0.5) / s;
  L.trace_width_mm = out.strip_s * o.speed_mm_s;
  return out;
}

}  // namespace ecg::digitize
