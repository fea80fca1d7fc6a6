#pragma once
// Losses on whole signals, over the last dimension (time).
//
// pearson:  1 - r, r the Pearson correlation of each series over time, averaged over
//           every other dimension. pred, target [..., T].
//             r = cov(p, t) / sqrt(var(p) var(t) + eps)
// snr:      negative SNR in dB, differentiable. pred, target [batch, leads, T] (mV).
//             per lead:  -10 log10((sum t^2 + eps) / (sum (p - t)^2 + eps)), averaged over
//                        batch and leads;
//             pooled:    the sums run over leads and time, as the Kaggle 2025 metric pools
//                        power over the 12 leads; averaged over the batch.
// With mask_nan, samples whose target is NaN are left out of every sum.

#include <torch/arg.h>

#include <string>

#include "losses/loss.h"

namespace ecg::losses {

struct PearsonLossOptions {
  TORCH_ARG(double, eps) = 1e-8;
  TORCH_ARG(bool, mask_nan) = false;
};

class PearsonLoss : public Loss {
 public:
  explicit PearsonLoss(PearsonLossOptions options) : options_(std::move(options)) {}
  torch::Tensor forward(const torch::Tensor& pred, const torch::Tensor& target) override;

 private:
  PearsonLossOptions options_;
};

struct SnrLossOptions {
  TORCH_ARG(std::string, pooling) = "lead";  // lead | pooled
  TORCH_ARG(double, eps) = 1e-8;             // mV^2, keeps log finite for silent or perfect series
  TORCH_ARG(bool, mask_nan) = false;
};

class SnrLoss : public Loss {
 public:
  explicit SnrLoss(SnrLossOptions options);
  torch::Tensor forward(const torch::Tensor& pred, const torch::Tensor& target) override;

 private:
  SnrLossOptions options_;
};

void register_signal_losses(LossRegistry& registry);

}  // namespace ecg::losses
