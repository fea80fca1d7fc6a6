#pragma once
// keypoint_detection: how well a DETR-style set predictor (vit_detr with coords
// keypoint) finds keypoints, on the targets of the `detr` loss (set_loss.h).
//
//   pred    [B, Q, C + 1 + 2] or [B, L, Q, C + 1 + 2] (the last decoder layer is used):
//           class logits (the last is "no object"), then (x, y) in [0, 1] of the image.
//   target  [B, M, 3]: class index, x, y; class -1 rows are padding.
// Per image, targets are assigned one-to-one to queries (Hungarian, cost |dx| + |dy|
// + 1 - p(target class)). A target is found when its query's arg-max class is the
// target's and |dx| <= tolerance. Values:
//   kp_error_ms    mean |dx| of found targets, in ms (x * image_width_ms)
//   kp_recall      found / targets
//   kp_precision   found / queries whose arg-max is not "no object"
//   kp_f1          their harmonic mean
//   kp_error_ms/<c>, kp_recall/<c>, kp_precision/<c>   the same per keypoint class c
// image_width_ms: the time the image width spans (a letter page at 25 mm/s: 279.4 mm /
// 25 mm/s = 11176 ms); tolerance_ms: 50 by default.

#include <vector>

#include "losses/metric.h"

namespace ecg::losses {

class KeypointDetectionMetric : public Metric {
 public:
  KeypointDetectionMetric(int64_t num_classes, double image_width_ms, double tolerance_ms);
  void reset() override;
  void update(const torch::Tensor& pred, const torch::Tensor& target) override;
  std::map<std::string, double> compute() const override;
  nlohmann::json state() const override;
  void merge(const nlohmann::json& other) override;

 private:
  int64_t num_classes_;
  double image_width_ms_, tolerance_ms_;
  // Per keypoint class.
  std::vector<double> sum_error_ms_;
  std::vector<int64_t> targets_, found_, predicted_;
};

void register_detection_metrics(MetricRegistry& registry);

}  // namespace ecg::losses
