#include "render/page_targets.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "core/error.h"
#include "data/record.h"

namespace ecg::render {

TraceTargets trace_targets(const PageTruth& t, const data::Record& record, int64_t image_width_px,
                           int64_t output_width) {
  ECG_CHECK(image_width_px > 0 && output_width > 0, "trace_targets: widths must be > 0, got ", image_width_px, " and ",
            output_width);
  const auto& names = data::standard_leads();
  const int64_t leads = static_cast<int64_t>(names.size()), w_out = output_width;
  TraceTargets out;
  out.mv = torch::full({leads, w_out}, NAN, torch::kFloat);
  out.y_px = torch::full({leads, w_out}, NAN, torch::kFloat);
  out.baseline_px = torch::full({leads}, NAN, torch::kFloat);
  out.panel_s = torch::full({leads, 2}, NAN, torch::kFloat);
  auto tv = out.mv.accessor<float, 2>();
  auto ty = out.y_px.accessor<float, 2>();
  const auto signal = record.signal.to(torch::kFloat).contiguous();
  const auto sig = signal.accessor<float, 2>();
  const double col_px = static_cast<double>(image_width_px) / static_cast<double>(w_out);
  const double mv_px = t.gain_mm_mv * t.px_per_mm_y;
  for (int64_t l = 0; l < leads; ++l) {
    const LeadTruth* lt = nullptr;  // the lead's panel; a rhythm strip only when there is no other
    for (const auto& cand : t.leads)
      if (data::same_lead_name(cand.lead_name, names[static_cast<size_t>(l)]) && (lt == nullptr || lt->rhythm))
        lt = &cand;
    const int64_t in = lt == nullptr ? -1 : record.lead_index(lt->lead_name);
    if (in < 0) continue;
    const size_t n = lt->plotted_pixels.size();
    ECG_CHECK(lt->start_sample >= 0 && lt->start_sample + static_cast<int64_t>(n) <= signal.size(1), "record ",
              record.id, ": lead ", lt->lead_name, " is plotted from samples [", lt->start_sample, ", ",
              lt->start_sample + static_cast<int64_t>(n), ") but the record has ", signal.size(1));
    out.panel_s[l][0] = static_cast<float>(static_cast<double>(lt->start_sample) / record.fs_hz);
    out.panel_s[l][1] = static_cast<float>(static_cast<double>(n) / record.fs_hz);
    std::vector<double> v(n, NAN);
    for (size_t k = 0; k < n; ++k) v[k] = sig[in][lt->start_sample + static_cast<int64_t>(k)];
    for (int64_t c : lt->clipped_samples)
      if (c >= 0 && static_cast<size_t>(c) < n) v[static_cast<size_t>(c)] = NAN;
    std::vector<double> offsets;
    for (size_t k = 0; k < n; ++k) {
      const cv::Point2d& p = lt->plotted_pixels[k];
      if (!std::isnan(v[k]) && !std::isnan(p.y)) offsets.push_back(p.y + v[k] * mv_px);
    }
    if (!offsets.empty()) {
      std::nth_element(offsets.begin(), offsets.begin() + static_cast<std::ptrdiff_t>(offsets.size() / 2),
                       offsets.end());
      out.baseline_px[l] = static_cast<float>(offsets[offsets.size() / 2]);
    }
    for (size_t k = 0; k + 1 < n; ++k) {
      cv::Point2d a = lt->plotted_pixels[k], b = lt->plotted_pixels[k + 1];
      double va = v[k], vb = v[k + 1];
      if (std::isnan(va) || std::isnan(vb) || std::isnan(a.x) || std::isnan(b.x) || a.x == b.x) continue;
      if (a.x > b.x) {
        std::swap(a, b);
        std::swap(va, vb);
      }
      // Columns c whose centre x_c = (c + 0.5) * col_px - 0.5 lies in [a.x, b.x].
      const auto c0 = std::max<int64_t>(0, static_cast<int64_t>(std::ceil((a.x + 0.5) / col_px - 0.5)));
      const auto c1 = std::min<int64_t>(w_out - 1, static_cast<int64_t>(std::floor((b.x + 0.5) / col_px - 0.5)));
      for (int64_t c = c0; c <= c1; ++c) {
        if (!std::isnan(tv[l][c])) continue;
        const double f = ((c + 0.5) * col_px - 0.5 - a.x) / (b.x - a.x);
        tv[l][c] = static_cast<float>(va + f * (vb - va));
        ty[l][c] = static_cast<float>(a.y + f * (b.y - a.y));
      }
    }
  }
  return out;
}

void put_trace_targets(data::Example& example, TraceTargets targets, const PageTruth& truth) {
  example.target = std::move(targets.mv);
  example.extras["y_px"] = std::move(targets.y_px);
  example.extras["baseline_px"] = std::move(targets.baseline_px);
  example.extras["px_per_mm"] = torch::tensor(truth.px_per_mm_y, torch::kFloat);
  example.extras["panel_s"] = std::move(targets.panel_s);
}

}  // namespace ecg::render
