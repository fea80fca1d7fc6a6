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
  reset();
}

void KeypointDetectionMetric::reset() {
  const auto c = static_cast<size_t>(num_classes_);
  sum_error_ms_.assign(c, 0.0);
  targets_.assign(c, 0);
  found_.assign(c, 0);
  predicted_.assign(c, 0);
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
      if (best != num_classes_) ++predicted_[static_cast<size_t>(best)];
    }
    std::vector<int64_t> rows;
    for (int64_t m = 0; m < target.size(1); ++m) {
      if (t[m][0] < 0) continue;
      ECG_CHECK(t[m][0] < static_cast<double>(num_classes_), "keypoint_detection: target class ", t[m][0],
                " is outside [0, ", num_classes_, ")");
      rows.push_back(m);
      ++targets_[static_cast<size_t>(t[m][0])];
    }
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
      const auto c = static_cast<size_t>(t[m][0]);
      if (arg[static_cast<size_t>(j)] == static_cast<int64_t>(c) && err_ms <= tolerance_ms_) {
        ++found_[c];
        sum_error_ms_[c] += err_ms;
      }
    }
  }
}

std::map<std::string, double> KeypointDetectionMetric::compute() const {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::map<std::string, double> out;
  auto put = [&](const std::string& suffix, double err, int64_t targets, int64_t found, int64_t predicted) {
    const double recall = targets > 0 ? static_cast<double>(found) / static_cast<double>(targets) : nan;
    const double precision = predicted > 0 ? static_cast<double>(found) / static_cast<double>(predicted) : nan;
    out["kp_error_ms" + suffix] = found > 0 ? err / static_cast<double>(found) : nan;
    out["kp_recall" + suffix] = recall;
    out["kp_precision" + suffix] = precision;
    return std::make_pair(recall, precision);
  };
  double err = 0;
  int64_t targets = 0, found = 0, predicted = 0;
  for (size_t c = 0; c < targets_.size(); ++c) {
    put("/" + std::to_string(c), sum_error_ms_[c], targets_[c], found_[c], predicted_[c]);
    err += sum_error_ms_[c];
    targets += targets_[c];
    found += found_[c];
    predicted += predicted_[c];
  }
  const auto [recall, precision] = put("", err, targets, found, predicted);
  const double f1 = recall + precision > 0 ? 2 * recall * precision / (recall + precision) : 0.0;
  out["kp_f1"] = std::isnan(recall) || std::isnan(precision) ? nan : f1;
  return out;
}

nlohmann::json KeypointDetectionMetric::state() const {
  return {{"sum_error_ms", sum_error_ms_}, {"targets", targets_}, {"found", found_}, {"predicted", predicted_}};
}

void KeypointDetectionMetric::merge(const nlohmann::json& o) {
  ECG_CHECK(o.contains("sum_error_ms") && o.contains("targets") && o.contains("found") && o.contains("predicted"),
            "keypoint_detection: cannot merge state ", o.dump());
  const auto add = [&](auto& into, const auto& from) {
    ECG_CHECK(from.size() == into.size(), "keypoint_detection: cannot merge ", from.size(), " classes into ",
              into.size());
    for (size_t c = 0; c < into.size(); ++c) into[c] += from[c];
  };
  add(sum_error_ms_, o["sum_error_ms"].get<std::vector<double>>());
  add(targets_, o["targets"].get<std::vector<int64_t>>());
  add(found_, o["found"].get<std::vector<int64_t>>());
  add(predicted_, o["predicted"].get<std::vector<int64_t>>());
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
