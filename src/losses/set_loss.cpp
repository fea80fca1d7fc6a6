#include "losses/set_loss.h"

#include <torch/torch.h>

#include "losses/hungarian.h"

namespace ecg::losses {
namespace {

torch::Tensor to_corners(const torch::Tensor& b) {
  const auto cx = b.select(-1, 0), cy = b.select(-1, 1), w = b.select(-1, 2), h = b.select(-1, 3);
  return torch::stack({cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2}, -1);
}

// GIoU of every pair: a [N, 4], b [M, 4] -> [N, M].
torch::Tensor pairwise_giou(const torch::Tensor& a, const torch::Tensor& b) {
  const auto n = a.size(0), m = b.size(0);
  return generalized_box_iou(a.unsqueeze(1).expand({n, m, 4}).reshape({-1, 4}),
                             b.unsqueeze(0).expand({n, m, 4}).reshape({-1, 4}))
      .view({n, m});
}

}  // namespace

torch::Tensor generalized_box_iou(const torch::Tensor& a, const torch::Tensor& b) {
  const auto ca = to_corners(a), cb = to_corners(b);
  const auto area_a = (ca.select(-1, 2) - ca.select(-1, 0)) * (ca.select(-1, 3) - ca.select(-1, 1));
  const auto area_b = (cb.select(-1, 2) - cb.select(-1, 0)) * (cb.select(-1, 3) - cb.select(-1, 1));
  const auto lt = torch::maximum(ca.narrow(-1, 0, 2), cb.narrow(-1, 0, 2));
  const auto rb = torch::minimum(ca.narrow(-1, 2, 2), cb.narrow(-1, 2, 2));
  const auto wh = (rb - lt).clamp_min(0);
  const auto inter = wh.select(-1, 0) * wh.select(-1, 1);
  const auto uni = area_a + area_b - inter;
  const auto iou = inter / uni.clamp_min(1e-12);
  const auto elt = torch::minimum(ca.narrow(-1, 0, 2), cb.narrow(-1, 0, 2));
  const auto erb = torch::maximum(ca.narrow(-1, 2, 2), cb.narrow(-1, 2, 2));
  const auto ewh = (erb - elt).clamp_min(0);
  const auto enclosing = (ewh.select(-1, 0) * ewh.select(-1, 1)).clamp_min(1e-12);
  return iou - (enclosing - uni) / enclosing;
}

SetLoss::SetLoss(SetLossOptions options) : options_(std::move(options)) {
  ECG_CHECK(options_.num_classes() >= 1, "detr: num_classes must be >= 1, got ", options_.num_classes());
  ECG_CHECK(options_.coords() == "keypoint" || options_.coords() == "box",
            "detr: coords must be keypoint or box, got '", options_.coords(), "'");
  ECG_CHECK(options_.eos_coef() >= 0, "detr: eos_coef must be >= 0");
  coord_dims_ = options_.coords() == "box" ? 4 : 2;
}

torch::Tensor SetLoss::layer_loss(const torch::Tensor& pred, const torch::Tensor& target,
                                  std::vector<std::vector<std::pair<int64_t, int64_t>>>& matching) const {
  const int64_t batch = pred.size(0), queries = pred.size(1), classes = options_.num_classes();
  const auto logits = pred.narrow(2, 0, classes + 1);
  const auto coords = pred.narrow(2, classes + 1, coord_dims_);
  const bool box = coord_dims_ == 4;
  matching.assign(static_cast<size_t>(batch), {});

  auto target_classes = torch::full({batch, queries}, classes, torch::TensorOptions().dtype(torch::kLong));
  std::vector<torch::Tensor> matched_pred, matched_target;
  int64_t num_targets = 0;
  for (int64_t b = 0; b < batch; ++b) {
    const auto t = target[b];
    const auto valid = t.select(1, 0) >= 0;
    const auto tv = t.index({valid});
    const int64_t m = tv.size(0);
    ECG_CHECK(m <= queries, "detr: image ", b, " has ", m, " targets but only ", queries, " queries");
    if (m == 0) continue;
    num_targets += m;
    const auto t_cls = tv.select(1, 0).to(torch::kLong);
    ECG_CHECK(t_cls.max().item<int64_t>() < classes, "detr: target class ", t_cls.max().item<int64_t>(),
              " is outside [0, ", classes, ")");
    const auto t_xy = tv.narrow(1, 1, coord_dims_);
    torch::Tensor cost;
    {
      torch::NoGradGuard no_grad;
      const auto prob = torch::softmax(logits[b], -1).index_select(1, t_cls);  // [Q, m]
      const auto p_xy = coords[b];
      cost = options_.cost_l1() * torch::cdist(p_xy, t_xy, 1) - options_.cost_class() * prob;
      if (box) {
        cost = cost - options_.cost_giou() * pairwise_giou(p_xy, t_xy);
      } else {
        cost = cost + options_.cost_distance() * torch::cdist(p_xy, t_xy, 2);
      }
    }
    // Rows are targets (m <= Q), columns queries.
    const auto c = cost.t().contiguous().to(torch::kDouble).cpu();
    const std::vector<double> flat(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
    const auto assign = linear_assignment(flat, m, queries);
    std::vector<int64_t> q_idx(assign.begin(), assign.end());
    for (int64_t j = 0; j < m; ++j) matching[static_cast<size_t>(b)].emplace_back(assign[j], j);
    const auto qi = torch::tensor(q_idx, torch::kLong);
    target_classes[b].index_put_({qi}, t_cls.cpu());
    matched_pred.push_back(coords[b].index_select(0, qi.to(pred.device())));
    matched_target.push_back(t_xy);
  }
  auto class_w = torch::ones({classes + 1}, pred.options());
  class_w[classes] = options_.eos_coef();
  const auto tc = target_classes.to(pred.device()).view({-1});
  const auto nll = -torch::log_softmax(logits.reshape({-1, classes + 1}), 1).gather(1, tc.view({-1, 1})).squeeze(1);
  const auto w = class_w.index_select(0, tc);
  auto loss = options_.class_weight() * (w * nll).sum() / w.sum();
  if (num_targets == 0) return loss;
  const auto mp = torch::cat(matched_pred), mt = torch::cat(matched_target);
  const double n = static_cast<double>(num_targets);
  loss = loss + options_.l1_weight() * (mp - mt).abs().sum() / n;
  if (box) {
    loss = loss + options_.giou_weight() * (1 - generalized_box_iou(mp, mt)).sum() / n;
  } else {
    loss = loss + options_.distance_weight() * torch::sqrt(((mp - mt) * (mp - mt)).sum(1) + 1e-12).sum() / n;
  }
  return loss;
}

torch::Tensor SetLoss::forward(const torch::Tensor& pred, const torch::Tensor& target) {
  const int64_t width = options_.num_classes() + 1 + coord_dims_;
  ECG_CHECK((pred.dim() == 3 || pred.dim() == 4) && pred.size(-1) == width, "detr: expected pred [B, Q, ", width,
            "] or [B, layers, Q, ", width, "], got ", pred.sizes());
  ECG_CHECK(target.dim() == 3 && target.size(0) == pred.size(0) && target.size(2) == 1 + coord_dims_,
            "detr: expected target [", pred.size(0), ", M, ", 1 + coord_dims_, "], got ", target.sizes());
  if (pred.dim() == 3) return layer_loss(pred, target, last_matching_);
  torch::Tensor total;
  for (int64_t l = 0; l < pred.size(1); ++l) {
    const auto term = layer_loss(pred.select(1, l), target, last_matching_);
    total = total.defined() ? total + term : term;
  }
  return total;
}

void register_set_losses(LossRegistry& registry) {
  config::OptionsBinder<SetLossOptions> b("loss 'detr'");
  ECG_BIND_REQUIRED(b, num_classes, "object classes, without 'no object' (PQRST: 5)").min_value = 1;
  ECG_BIND(b, coords, "keypoint (x, y) | box (cx, cy, w, h)").choices = {"keypoint", "box"};
  ECG_BIND(b, cost_class, "matching cost weight of -p(class)").min_value = 0;
  ECG_BIND(b, cost_l1, "matching cost weight of L1").min_value = 0;
  ECG_BIND(b, cost_giou, "matching cost weight of -GIoU (boxes)").min_value = 0;
  ECG_BIND(b, cost_distance, "matching cost weight of the distance (keypoints)").min_value = 0;
  ECG_BIND(b, class_weight, "weight of the class loss").min_value = 0;
  ECG_BIND(b, l1_weight, "weight of the L1 loss").min_value = 0;
  ECG_BIND(b, giou_weight, "weight of the GIoU loss (boxes)").min_value = 0;
  ECG_BIND(b, distance_weight, "weight of the keypoint distance loss").min_value = 0;
  ECG_BIND(b, eos_coef, "class weight of 'no object'").min_value = 0;
  registry.add("detr", "DETR set loss over a Hungarian matching (boxes or keypoints)", b,
               [](const SetLossOptions& o) { return std::make_shared<SetLoss>(o); });
}

}  // namespace ecg::losses
