#pragma once
// DETR set loss (Carion et al. 2020) over the Hungarian matching of predictions to
// targets, for boxes or keypoints.
//
// pred:   [B, Q, C + 1 + D] or [B, L, Q, C + 1 + D] with L decoder layers (auxiliary
//         losses: every layer is matched and its loss added). Per query: C + 1 class
//         logits (the last is "no object"), then D coordinates in [0, 1] of the image:
//         box (cx, cy, w, h), D = 4; keypoint (x, y), D = 2.
// target: [B, M, 1 + D]: class index (as float) then coordinates; rows whose class is
//         -1 are padding. Needs M_valid <= Q per image.
//
// Matching cost per image: cost_l1 * L1 - cost_giou * GIoU (boxes) or
//   + cost_distance * Euclidean distance (keypoints) - cost_class * p(class);
//   defaults 5, 2, 2, 1 as in DETR.
// Loss: class_weight * cross-entropy over every query (unmatched queries target "no
//   object", whose class weight is eos_coef 0.1; weighted mean) + l1_weight * L1 +
//   giou_weight * (1 - GIoU) (boxes) or distance_weight * distance (keypoints), the
//   last two summed over matched pairs and divided by the number of targets.
//   Defaults 1, 5, 2, 2.

#include <torch/arg.h>

#include <string>
#include <vector>

#include "losses/loss.h"

namespace ecg::losses {

struct SetLossOptions {
  explicit SetLossOptions(int64_t num_classes = 0) : num_classes_(num_classes) {}
  TORCH_ARG(int64_t, num_classes);              // C, without "no object"
  TORCH_ARG(std::string, coords) = "keypoint";  // keypoint | box
  TORCH_ARG(double, cost_class) = 1.0;
  TORCH_ARG(double, cost_l1) = 5.0;
  TORCH_ARG(double, cost_giou) = 2.0;      // boxes
  TORCH_ARG(double, cost_distance) = 2.0;  // keypoints
  TORCH_ARG(double, class_weight) = 1.0;
  TORCH_ARG(double, l1_weight) = 5.0;
  TORCH_ARG(double, giou_weight) = 2.0;      // boxes
  TORCH_ARG(double, distance_weight) = 2.0;  // keypoints
  TORCH_ARG(double, eos_coef) = 0.1;
};

/// GIoU of paired boxes in (cx, cy, w, h): a [N, 4], b [N, 4] -> [N].
torch::Tensor generalized_box_iou(const torch::Tensor& a, const torch::Tensor& b);

class SetLoss : public Loss {
 public:
  explicit SetLoss(SetLossOptions options);
  torch::Tensor forward(const torch::Tensor& pred, const torch::Tensor& target) override;
  /// The matching of the last forward's final layer: per image, (query, target) pairs.
  const std::vector<std::vector<std::pair<int64_t, int64_t>>>& last_matching() const { return last_matching_; }

 private:
  torch::Tensor layer_loss(const torch::Tensor& pred, const torch::Tensor& target,
                           std::vector<std::vector<std::pair<int64_t, int64_t>>>& matching) const;
  SetLossOptions options_;
  int64_t coord_dims_;
  std::vector<std::vector<std::pair<int64_t, int64_t>>> last_matching_;
};

void register_set_losses(LossRegistry& registry);

}  // namespace ecg::losses
