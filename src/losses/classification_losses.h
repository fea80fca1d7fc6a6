#pragma once
// Classification losses. Logits in, never probabilities.
//
// cross_entropy:  pred [B, C] logits; target [B] class indices (int64) or [B, C] class
//                 probabilities (float). Label smoothing eps: the target becomes
//                 (1 - eps) * onehot + eps / C.
// bce:            multi-label. pred [B, C] logits; target [B, C] in {0, 1} (float).
// focal:          Lin et al. 2017, -alpha_t (1 - p_t)^gamma log p_t, gamma 2, alpha 0.25.
//                 mode binary / multilabel: sigmoid per element, target as for bce,
//                 alpha_t = alpha for positives, 1 - alpha for negatives;
//                 mode multiclass: softmax, target [B] indices, alpha scales every class
//                 (alpha < 0 turns it off).
// class_balanced: Cui et al. 2019. Wraps cross_entropy, bce, focal or asymmetric and weights class c
//                 by (1 - beta) / (1 - beta^n_c), renormalised to sum to C; beta 0.9999.
//                 Each sample's loss is multiplied by its class weight (per element for
//                 multi-label), then averaged over samples. samples_per_class (n_c) may be
//                 left out when the training dataset counts its classes: the trainer fills
//                 them in (train/loss_class_counts.h). A class with n_c = 0 gets weight 0 and
//                 the others sum to the number of classes present. min_samples (default 1)
//                 raises smaller counts to it: with 2 samples of one class and thousands of
//                 the others, that class would otherwise take nearly all of the weight.
// ldam:           Cao et al. 2019. pred [B, C] cosine logits of a normalised classifier;
//                 target [B] indices. The target logit loses its margin
//                 C_j / n_j^(1/4) (scaled so the largest is max_margin 0.5), logits are
//                 scaled by s = 30, then cross-entropy. DRW: from epoch drw_epoch (160 of
//                 200 in the paper) the class-balanced weights (beta 0.9999) switch on;
//                 the weighted mean is sum(w_y l) / sum(w_y).
// asymmetric:     Ridnik et al. 2021 (ASL), multi-label. p = sigmoid(pred);
//                 positives: (1 - p)^gamma_pos log p; negatives, with p_m = max(p - clip, 0):
//                 p_m^gamma_neg log(1 - p_m); gamma_pos 0, gamma_neg 4, clip 0.05. The
//                 reference code sums; here the reduction is the mean over elements unless
//                 reduction = sum, so the scale does not grow with the number of labels.

#include <torch/arg.h>

#include <string>
#include <vector>

#include "losses/loss.h"

namespace ecg::losses {

/// A classification loss that accepts per-class weights [C]; undefined = uniform.
class ClassWeightedLoss : public Loss {
 public:
  void set_class_weights(torch::Tensor weights) { class_weights_ = std::move(weights); }
  const torch::Tensor& class_weights() const { return class_weights_; }

 protected:
  /// Weights for per-sample losses [B] (by target index) or per-element losses [B, C].
  torch::Tensor sample_weights(const torch::Tensor& target, const torch::Tensor& like, bool per_element) const;
  torch::Tensor class_weights_;
};

/// Effective-number class weights (1 - beta) / (1 - beta^n_c), renormalised to sum to the
/// number of classes with samples; a class with none gets 0. Throws ecg::Error for a
/// negative count, no samples at all, or beta outside [0, 1).
std::vector<double> class_balanced_weights(const std::vector<int64_t>& samples_per_class, double beta);

struct CrossEntropyOptions {
  TORCH_ARG(double, label_smoothing) = 0.0;
};

class CrossEntropyLoss : public ClassWeightedLoss {
 public:
  explicit CrossEntropyLoss(CrossEntropyOptions options);
  torch::Tensor forward(const torch::Tensor& pred, const torch::Tensor& target) override;

 private:
  CrossEntropyOptions options_;
};

class BceLoss : public ClassWeightedLoss {
 public:
  torch::Tensor forward(const torch::Tensor& pred, const torch::Tensor& target) override;
};

struct FocalLossOptions {
  TORCH_ARG(std::string, mode) = "multilabel";  // binary | multiclass | multilabel
  TORCH_ARG(double, gamma) = 2.0;
  TORCH_ARG(double, alpha) = 0.25;
};

class FocalLoss : public ClassWeightedLoss {
 public:
  explicit FocalLoss(FocalLossOptions options);
  torch::Tensor forward(const torch::Tensor& pred, const torch::Tensor& target) override;

 private:
  FocalLossOptions options_;
};

struct LdamOptions {
  TORCH_ARG(std::vector<int64_t>, samples_per_class);
  TORCH_ARG(double, max_margin) = 0.5;
  TORCH_ARG(double, scale) = 30.0;
  TORCH_ARG(int64_t, drw_epoch) = 160;
  TORCH_ARG(double, beta) = 0.9999;
};

class LdamLoss : public Loss {
 public:
  explicit LdamLoss(LdamOptions options);
  torch::Tensor forward(const torch::Tensor& pred, const torch::Tensor& target) override;
  void set_epoch(int64_t epoch) override { epoch_ = epoch; }
  const std::vector<double>& margins() const { return margins_; }

 private:
  LdamOptions options_;
  std::vector<double> margins_;
  torch::Tensor margin_buffer_, drw_buffer_;  // [C] float64 buffers: built once, follow .to(device)
  int64_t epoch_ = 0;
};

struct AsymmetricLossOptions {
  TORCH_ARG(double, gamma_pos) = 0.0;
  TORCH_ARG(double, gamma_neg) = 4.0;
  TORCH_ARG(double, clip) = 0.05;
  TORCH_ARG(double, eps) = 1e-8;
  TORCH_ARG(std::string, reduction) = "mean";
};

class AsymmetricLoss : public ClassWeightedLoss {
 public:
  explicit AsymmetricLoss(AsymmetricLossOptions options);
  torch::Tensor forward(const torch::Tensor& pred, const torch::Tensor& target) override;

 private:
  AsymmetricLossOptions options_;
};

/// class_balanced wraps another registered loss, so it is built through `registry`,
/// which must outlive the registration.
void register_classification_losses(LossRegistry& registry);

}  // namespace ecg::losses
