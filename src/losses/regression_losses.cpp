#include "losses/regression_losses.h"

#include <torch/torch.h>

#include "losses/loss_util.h"

namespace ecg::losses {
namespace {

const char* kind_name(RegressionLoss::Kind k) {
  switch (k) {
    case RegressionLoss::Kind::kMse:
      return "mse";
    case RegressionLoss::Kind::kL1:
      return "l1";
    case RegressionLoss::Kind::kSmoothL1:
      return "smooth_l1";
  }
  return "?";
}

}  // namespace

RegressionLoss::RegressionLoss(Kind kind, RegressionLossOptions options) : kind_(kind), options_(std::move(options)) {
  detail::reduction_of(options_.reduction());
  ECG_CHECK(options_.beta() > 0, kind_name(kind_), ": beta must be > 0, got ", options_.beta());
}

torch::Tensor RegressionLoss::forward(const torch::Tensor& pred, const torch::Tensor& target) {
  detail::check_same_shape(kind_name(kind_), pred, target);
  const int64_t r = detail::reduction_of(options_.reduction());
  if (!options_.mask_nan()) {
    switch (kind_) {
      case Kind::kMse:
        return torch::mse_loss(pred, target, r);
      case Kind::kL1:
        return torch::l1_loss(pred, target, r);
      case Kind::kSmoothL1:
        return torch::smooth_l1_loss(pred, target, r, options_.beta());
    }
  }
  const auto m = detail::mask_nan(pred, target);
  const auto d = m.pred - m.target;
  torch::Tensor e;
  switch (kind_) {
    case Kind::kMse:
      e = d * d;
      break;
    case Kind::kL1:
      e = d.abs();
      break;
    case Kind::kSmoothL1: {
      const double b = options_.beta();
      e = torch::where(d.abs() < b, 0.5 * d * d / b, d.abs() - 0.5 * b);
      break;
    }
  }
  return detail::reduce(e, r, m.valid.sum());
}

void register_regression_losses(LossRegistry& registry) {
  auto binder = [](const char* what, bool with_beta) {
    config::OptionsBinder<RegressionLossOptions> b(what);
    ECG_BIND(b, reduction, "mean | sum over all elements").choices = {"mean", "sum"};
    if (with_beta) ECG_BIND(b, beta, "smooth_l1: |d| below which the loss is quadratic").min_value = 0;
    ECG_BIND(b, mask_nan, "leave out samples whose target is NaN (unplotted)");
    return b;
  };
  registry.add(
      "mse", "mean squared error (pred - target)^2", binder("loss 'mse'", false),
      [](const RegressionLossOptions& o) { return std::make_shared<RegressionLoss>(RegressionLoss::Kind::kMse, o); });
  registry.add(
      "l1", "mean absolute error |pred - target|", binder("loss 'l1'", false),
      [](const RegressionLossOptions& o) { return std::make_shared<RegressionLoss>(RegressionLoss::Kind::kL1, o); });
  registry.add("smooth_l1", "Huber-like: quadratic below beta, linear above", binder("loss 'smooth_l1'", true),
               [](const RegressionLossOptions& o) {
                 return std::make_shared<RegressionLoss>(RegressionLoss::Kind::kSmoothL1, o);
               });
}

}  // namespace ecg::losses
