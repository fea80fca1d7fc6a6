#include "losses/regression_losses.h"

#include <torch/nn/functional/loss.h>

namespace ecg::losses {
namespace {

int64_t reduction_enum(const std::string& r) {
  if (r == "mean") return at::Reduction::Mean;
  if (r == "sum") return at::Reduction::Sum;
  throw Error(str("unknown reduction '", r, "' (expected mean or sum)"));
}

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
  reduction_enum(options_.reduction());
  ECG_CHECK(options_.beta() > 0, kind_name(kind_), ": beta must be > 0, got ", options_.beta());
}

torch::Tensor RegressionLoss::forward(const torch::Tensor& pred, const torch::Tensor& target) {
  ECG_CHECK(pred.sizes() == target.sizes(), kind_name(kind_), ": pred ", pred.sizes(), " and target ", target.sizes(),
            " must have the same shape");
  const int64_t r = reduction_enum(options_.reduction());
  switch (kind_) {
    case Kind::kMse:
      return torch::mse_loss(pred, target, r);
    case Kind::kL1:
      return torch::l1_loss(pred, target, r);
    case Kind::kSmoothL1:
      return torch::smooth_l1_loss(pred, target, r, options_.beta());
  }
  ECG_INTERNAL_ASSERT(false, "bad loss kind");
}

void register_regression_losses(LossRegistry& registry) {
  auto binder = [](const char* what, bool with_beta) {
    config::OptionsBinder<RegressionLossOptions> b(what);
    ECG_BIND(b, reduction, "mean | sum over all elements").choices = {"mean", "sum"};
    if (with_beta) ECG_BIND(b, beta, "smooth_l1: |d| below which the loss is quadratic").min_value = 0;
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
