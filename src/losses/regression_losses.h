#pragma once
// Element-wise regression losses: mse, l1 and smooth_l1.
// forward: pred, target of the same shape (any), float -> scalar.
//   mse:       (pred - target)^2
//   l1:        |pred - target|
//   smooth_l1: 0.5 d^2 / beta if |d| < beta, else |d| - 0.5 beta  (d = pred - target)
// With mask_nan, samples whose target is NaN (unplotted samples) are left out: they
// add nothing and the mean is over the remaining samples.

#include <torch/arg.h>

#include <string>

#include "losses/loss.h"

namespace ecg::losses {

struct RegressionLossOptions {
  TORCH_ARG(std::string, reduction) = "mean";  // mean | sum
  TORCH_ARG(double, beta) = 1.0;               // smooth_l1 only: where it turns from L2 to L1
  TORCH_ARG(bool, mask_nan) = false;           // ignore samples whose target is NaN
};

class RegressionLoss : public Loss {
 public:
  enum class Kind { kMse, kL1, kSmoothL1 };
  RegressionLoss(Kind kind, RegressionLossOptions options);
  torch::Tensor forward(const torch::Tensor& pred, const torch::Tensor& target) override;

 private:
  Kind kind_;
  RegressionLossOptions options_;
};

void register_regression_losses(LossRegistry& registry);

}  // namespace ecg::losses
