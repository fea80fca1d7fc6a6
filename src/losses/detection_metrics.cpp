#include "losses/detection_metrics.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/options_binder.h"
#include "losses/hungarian.h"

namespace ecg::losses {

KeypointDetectionMetric::KeypointDetectionMetric(int64_t num_classes, double image_width_ms, double tolerance_ms)
    : num_classes_(num_classes), image_width_ms_(image_width_ms), tolerance_ms_(tolerance_ms) {
  ECG_CHECK(num_classes_ >= 1, "keypoint_detection: num_classes must be >= 1, got ", num_classes_);
  ECG_CHECK(image_width_ms_ > 0 && tolerance_ms_ > 0,
            "keypoint_detection: image_width_ms and tolerance_ms must be > 0");
}

void KeypointDetectionMetric::reset() {
  sum_error_ms_ = 0;
  targets_ = found_ = predicted_ = 0;
}

void KeypointDetectionMetric::update(const torch::Tensor& pred_in, const torch::Tensor& target_in) {
  const int64_t k = num_classes_ + 1 + 2;
  torch::Tensor pred = pred_in.detach().to(torch::kCPU, torch::kDouble);
  if (pred.dim() == 4) pred = pred.select(1, pred.size(1) - 1);
  ECG_CHECK(pred.dim() == 3 && pred.size(2) == k, "keypoint_detection: pred must be [B, (L,) Q, ", k, "], got ",
            pred_in.sizes());
  const auto target = target_in.detach().to(torch::kCPU, torch::kDouble).contiguous();
  ECG_CHECK(target.dim() == 3 && target.size(2) == 3 && target.size(0) == pred.size(0),
            "keypoint_detection: target must be [B, M, 3] (class, x, y), got ", target_in.sizes());
  const auto probs = torch::softmax(pred.narrow(2, 0, num_classes_ + 1), 2).contiguous();
  const auto xy = pred.narrow(2, num_classes_ + 1, 2).contiguous();
  const int64_t queries = pred.size(1);
  for (int64_t b = 0; b < pred.size(0); ++b) {
    const torch::Tensor pb = probs[b], qb = xy[b], tb = target[b];
    const auto p = pb.accessor<double, 2>();
    const auto q = qb.accessor<double, 2>();
    const auto t = tb.accessor<double, 2>();
    std::vector<int64_t> arg(static_cast<size_t>(queries));
    for (int64_t j = 0; j < queries; ++j) {
      int64_t best = 0;
      for (int64_t c = 1; c <= num_classes_; ++c)
        if (p[j][c] > p[j][best]) best = c;
      arg[static_cast<size_t>(j)] = best;
      if (best != num_classes_) ++predicted_;
    }
    std::vector<int64_t> rows;
    for (int64_t m = 0; m < target.size(1); ++m)
      if (t[m][0] >= 0) rows.push_back(m);
    targets_ += static_cast<int64_t>(rows.size());
    const int64_t n = std::min<int64_t>(static_cast<int64_t>(rows.size()), queries);  // the rest are misses
    if (n == 0) continue;
    std::vector<double> cost(static_cast<size_t>(n * queries));
    for (int64_t r = 0; r < n; ++r) {
      const auto m = rows[static_cast<size_t>(r)];
      const auto c = static_cast<int64_t>(t[m][0]);
      for (int64_t j = 0; j < queries; ++j)
        cost[static_cast<size_t>(r * queries + j)] =
            std::abs(q[j][0] - t[m][1]) + std::abs(q[j][1] - t[m][2]) + 1.0 - p[j][c];
    }
    const auto assign = linear_assignment(cost, n, queries);
    for (int64_t r = 0; r < n; ++r) {
      const auto m = rows[static_cast<size_t>(r)];
      const int64_t j = assign[static_cast<size_t>(r)];
      const double err_ms = std::abs(q[j][0] - t[m][1]) * image_width_ms_;
      if (arg[static_cast<size_t>(j)] == static_cast<int64_t>(t[m][0]) && err_ms <= tolerance_ms_) {
        ++found_;
        sum_error_ms_ += err_ms;
      }
    }
  }
}

std::map<std::string, double> KeypointDetectionMetric::compute() const {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double recall = targets_ > 0 ? static_cast<double>(found_) / static_cast<double>(targets_) : nan;
  const double precision = predicted_ > 0 ? static_cast<double>(found_) / static_cast<double>(predicted_) : nan;
  const double f1 = recall + precision > 0 ? 2 * recall * precision / (recall + precision) : 0.0;
  return {{"kp_error_ms", found_ > 0 ? sum_error_ms_ / static_cast<double>(found_) : nan},
          {"kp_recall", recall},
          {"kp_precision", precision},
          {"kp_f1", std::isnan(recall) || std::isnan(precision) ? nan : f1}};
}

nlohmann::json KeypointDetectionMetric::state() const {
  return {{"sum_error_ms", sum_error_ms_}, {"targets", targets_}, {"found", found_}, {"predicted", predicted_}};
}

void KeypointDetectionMetric::merge(const nlohmann::json& o) {
  ECG_CHECK(o.contains("sum_error_ms") && o.contains("targets") && o.contains("found") && o.contains("predicted"),
            "keypoint_detection: cannot merge state ", o.dump());
  sum_error_ms_ += o["sum_error_ms"].get<double>();
  targets_ += o["targets"].get<int64_t>();
  found_ += o["found"].get<int64_t>();
  predicted_ += o["predicted"].get<int64_t>();
}

void register_detection_metrics(MetricRegistry& registry) {
  struct Options {
    TORCH_ARG(int64_t, num_classes) = 5;
    TORCH_ARG(double, image_width_ms) = 11176.0;
    TORCH_ARG(double, tolerance_ms) = 50.0;
  };
  config::OptionsBinder<Options> b("metric 'keypoint_detection'");
  ECG_BIND(b, num_classes, "keypoint classes, without no-object (P, Q, R, S, T: 5)").min_value = 1;
  ECG_BIND(b, image_width_ms, "time spanned by the image width (letter page at 25 mm/s: 11176)").min_value = 0;
  ECG_BIND(b, tolerance_ms, "a keypoint is found within this |dx|").min_value = 0;
  registry.add(
      "keypoint_detection", "DETR keypoints: matched error in ms, recall, precision, F1", b, [](const Options& o) {
        return std::make_shared<KeypointDetectionMetric>(o.num_classes(), o.image_width_ms(), o.tolerance_ms());
      });
}

}  // namespace ecg::losses
