#include "digitize/strip_targets.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <torch/torch.h>

#include "core/error.h"

namespace ecg::digitize {
namespace {

using render::map_point;

struct LeadLine {
  std::vector<cv::Point2d> points;  // canonical, in sample order
  double baseline_y = 0;            // canonical
  std::string name;
};

// y of `line` at x, or NaN where its points do not span x (or bracket a NaN sample).
double line_y(const LeadLine& line, double x) {
  const auto& p = line.points;
  if (p.size() < 2 || !(x >= p.front().x) || !(x <= p.back().x)) return std::numeric_limits<double>::quiet_NaN();
  const auto it = std::lower_bound(p.begin(), p.end(), x, [](const cv::Point2d& a, double v) { return a.x < v; });
  if (it == p.begin()) return it->y;
  const auto& b = *it;
  const auto& a = *(it - 1);
  if (b.x - a.x <= 1e-12) return 0.5 * (a.y + b.y);
  const double f = (x - a.x) / (b.x - a.x);
  return a.y + f * (b.y - a.y);
}

}  // namespace

std::vector<StripTargets> strip_targets(const std::vector<Strip>& strips, const render::PageTruth& truth,
                                        const PageGeometry& geometry) {
  ECG_CHECK(truth.gain_mm_mv > 0, "strip_targets: page '", truth.id, "' has no gain");
  std::vector<StripTargets> out(strips.size());
  if (strips.empty()) return out;
  // Row pitch from the strips' zero lines, for the nearest-row test.
  double pitch = std::numeric_limits<double>::infinity();
  for (size_t i = 1; i < strips.size(); ++i)
    pitch = std::min(pitch, std::abs(strips[i].zero_px - strips[i - 1].zero_px));
  if (!std::isfinite(pitch)) pitch = strips[0].y_step_px * 256;  // one row: anything on the page

  const cv::Matx33d to_canonical = geometry.to_canonical;
  const cv::Matx33d to_clean = truth.homography.inv();
  std::vector<std::vector<LeadLine>> lines(strips.size());
  for (const auto& lead : truth.leads) {
    if (lead.plotted_pixels.size() < 2) continue;
    // The baseline decides the row; a NaN sample splits the lead into pieces.
    // The lead's middle, on the clean page, where its baseline is taken.
    const auto finite = [](const cv::Point2d& p) { return std::isfinite(p.x) && std::isfinite(p.y); };
    const auto first = std::find_if(lead.plotted_pixels.begin(), lead.plotted_pixels.end(), finite);
    const auto last = std::find_if(lead.plotted_pixels.rbegin(), lead.plotted_pixels.rend(), finite);
    if (first == lead.plotted_pixels.end()) continue;
    const double mid_x = map_point(to_clean, 0.5 * (*first + *last)).x;
    const cv::Point2d base_image = map_point(truth.homography, cv::Point2d(mid_x, lead.baseline_y));
    const double baseline_y = map_point(to_canonical, base_image).y;
    size_t best = 0;
    for (size_t i = 1; i < strips.size(); ++i)
      if (std::abs(strips[i].zero_px - baseline_y) < std::abs(strips[best].zero_px - baseline_y)) best = i;
    if (!(std::abs(strips[best].zero_px - baseline_y) <= 0.5 * pitch)) continue;
    LeadLine piece;
    piece.name = lead.lead_name;
    piece.baseline_y = baseline_y;
    for (const auto& p : lead.plotted_pixels) {
      if (std::isfinite(p.x) && std::isfinite(p.y)) {
        piece.points.push_back(map_point(to_canonical, p));
        continue;
      }
      if (piece.points.size() >= 2) lines[best].push_back(piece);
      piece.points.clear();
    }
    if (piece.points.size() >= 2) lines[best].push_back(std::move(piece));
  }
  for (size_t k = 0; k < strips.size(); ++k) {
    const Strip& s = strips[k];
    const int64_t columns = s.image.size(2);
    auto& t = out[k];
    t.y_row = torch::full({columns}, NAN, torch::kFloat);
    t.rows_per_mv = s.px_per_mm * truth.gain_mm_mv / s.y_step_px;
    auto& row_lines = lines[k];
    std::sort(row_lines.begin(), row_lines.end(),
              [](const LeadLine& a, const LeadLine& b) { return a.points.front().x < b.points.front().x; });
    double base = 0;
    for (const auto& l : row_lines) {
      if (std::find(t.leads.begin(), t.leads.end(), l.name) != t.leads.end()) continue;
      base += l.baseline_y;
      t.leads.push_back(l.name);
    }
    t.baseline_row = t.leads.empty() ? s.strip_row(s.zero_px) : s.strip_row(base / static_cast<double>(t.leads.size()));
    float* y = t.y_row.data_ptr<float>();
    for (int64_t c = 0; c < columns; ++c) {
      const double x = s.x_canonical(static_cast<double>(c));
      for (const auto& l : row_lines) {
        const double v = line_y(l, x);
        if (std::isfinite(v)) {
          // A trace beyond the strip's edge is not in view: no target (a Gaussian at the
          // edge row would teach the reader to put its mass there when unsure).
          const double row = s.strip_row(v);
          if (row >= 0 && row <= static_cast<double>(s.image.size(1) - 1)) y[c] = static_cast<float>(row);
          break;
        }
      }
    }
  }
  return out;
}

}  // namespace ecg::digitize
