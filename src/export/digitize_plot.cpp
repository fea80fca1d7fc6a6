#include "export/digitize_plot.h"

#include <torch/torch.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace ecg::exporting {

cv::Mat digitize_plot(const cv::Mat& page_bgr, const torch::Tensor& traces, const ModelIo& io, bool with_page) {
  ECG_CHECK(!page_bgr.empty(), "digitize_plot: empty image");
  ECG_CHECK(traces.dim() == 2, "digitize_plot: traces must be [leads, columns], got ", traces.sizes());
  ECG_CHECK(!io.panels.empty(), "digitize_plot: the model's io has no panels (not a digitiser?)");
  const auto t = traces.detach().to(torch::kCPU, torch::kFloat).contiguous();
  const int64_t width = t.size(1);
  const int64_t columns = io.columns > 0 ? io.columns : width;
  int height = page_bgr.rows;
  if (!io.input_shapes.empty() && io.input_shapes[0].size() == 3) height = static_cast<int>(io.input_shapes[0][1]);
  cv::Mat page;
  cv::resize(page_bgr, page, cv::Size(static_cast<int>(width), height), 0, 0, cv::INTER_AREA);
  if (!with_page) height = 0;

  // Greedy strips: a panel goes to the first strip whose panels it does not overlap.
  std::vector<std::vector<const LeadPanel*>> strips;
  for (const auto& p : io.panels) {
    bool placed = false;
    for (auto& s : strips) {
      const bool overlaps = std::any_of(s.begin(), s.end(), [&](const LeadPanel* q) {
        return p.first_column <= q->last_column && q->first_column <= p.last_column;
      });
      if (!overlaps) {
        s.push_back(&p);
        placed = true;
        break;
      }
    }
    if (!placed) strips.push_back({&p});
  }
  const double px_per_mv = 20.0;
  const int strip_h = static_cast<int>(4 * px_per_mv);
  cv::Mat out(height + static_cast<int>(strips.size()) * strip_h, static_cast<int>(width), CV_8UC3,
              cv::Scalar(255, 255, 255));
  if (with_page) page.copyTo(out(cv::Rect(0, 0, static_cast<int>(width), height)));
  const auto in = t.accessor<float, 2>();
  auto column_x = [&](int64_t c) { return (static_cast<double>(c) + 0.5) * width / columns - 0.5; };
  for (size_t s = 0; s < strips.size(); ++s) {
    const int top = height + static_cast<int>(s) * strip_h, mid = top + strip_h / 2;
    for (double mv = -2.0; mv <= 2.0; mv += 0.5)
      cv::line(out, {0, static_cast<int>(std::lround(mid - mv * px_per_mv))},
               {static_cast<int>(width) - 1, static_cast<int>(std::lround(mid - mv * px_per_mv))},
               mv == 0 ? cv::Scalar(170, 170, 230) : cv::Scalar(225, 225, 245), 1);
    cv::line(out, {0, top}, {static_cast<int>(width) - 1, top}, cv::Scalar(120, 120, 120), 1);
    for (const LeadPanel* p : strips[s]) {
      const auto lit = std::find(io.lead_order.begin(), io.lead_order.end(), p->lead);
      const auto l = static_cast<int64_t>(lit - io.lead_order.begin());
      if (lit == io.lead_order.end() || l >= t.size(0)) continue;
      std::vector<cv::Point> pts;
      for (int64_t c = p->first_column; c <= p->last_column; ++c) {
        const auto x = static_cast<int64_t>(std::lround(std::clamp(column_x(c), 0.0, width - 1.0)));
        const float v = in[l][x];
        if (!std::isfinite(v)) continue;
        const double y = std::clamp(mid - v * px_per_mv, top + 1.0, top + strip_h - 1.0);
        pts.emplace_back(static_cast<int>(x), static_cast<int>(std::lround(y)));
      }
      if (pts.size() > 1) cv::polylines(out, pts, false, cv::Scalar(160, 40, 0), 1, cv::LINE_AA);
      const int x0 = static_cast<int>(std::lround(std::clamp(column_x(p->first_column), 0.0, width - 1.0)));
      cv::putText(out, p->lead, {x0 + 2, top + 12}, cv::FONT_HERSHEY_SIMPLEX, 0.35, cv::Scalar(0, 0, 0), 1,
                  cv::LINE_AA);
    }
  }
  return out;
}

}  // namespace ecg::exporting
