#include "losses/regression_losses.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/yaml_io.h"
#include "test_util.h"

namespace ecg::losses {
namespace {

std::shared_ptr<Loss> make(const std::string& yaml) {
  LossRegistry r("loss");
  register_regression_losses(r);
  return r.create(config::parse_yaml(yaml, "loss.yaml"), "loss");
}

TEST(RegressionLosses, ExactValues) {
  const auto pred = torch::tensor({1.0, 2.0, 3.0}, torch::kFloat64);
  const auto target = torch::zeros({3}, torch::kFloat64);
  EXPECT_DOUBLE_EQ(make("name: mse")->forward(pred, target).item<double>(), 14.0 / 3.0);
  EXPECT_DOUBLE_EQ(make("name: mse\nreduction: sum")->forward(pred, target).item<double>(), 14.0);
  EXPECT_DOUBLE_EQ(make("name: l1")->forward(pred, target).item<double>(), 2.0);
  // beta 1: 0.5, 1.5, 2.5; beta 2: 0.25, 1.0, 2.0
  EXPECT_DOUBLE_EQ(make("name: smooth_l1")->forward(pred, target).item<double>(), 1.5);
  EXPECT_DOUBLE_EQ(make("name: smooth_l1\nbeta: 2")->forward(pred, target).item<double>(), 3.25 / 3.0);
}

TEST(RegressionLosses, GradientsMatchFiniteDifferences) {
  torch::manual_seed(0);
  for (const std::string spec : {"name: mse", "name: l1", "name: smooth_l1\nbeta: 0.5"}) {
    auto loss = make(spec);
    const auto target = torch::randn({2, 5}, torch::kFloat64);
    auto pred = torch::randn({2, 5}, torch::kFloat64).requires_grad_(true);
    loss->forward(pred, target).backward();
    const auto analytic = pred.grad().clone();
    const double h = 1e-6;
    auto p = pred.detach().clone();
    for (int64_t i = 0; i < p.numel(); ++i) {
      auto flat = p.view({-1});
      const double v = flat[i].item<double>();
      flat[i] = v + h;
      const double up = loss->forward(p, target).item<double>();
      flat[i] = v - h;
      const double down = loss->forward(p, target).item<double>();
      flat[i] = v;
      EXPECT_NEAR(analytic.view({-1})[i].item<double>(), (up - down) / (2 * h), 1e-6) << spec << " element " << i;
    }
  }
}

TEST(RegressionLosses, ErrorsNameTheProblem) {
  EXPECT_ERROR_HAS(make("name: mse")->forward(torch::zeros({2, 3}), torch::zeros({3, 2})),
                   "mse: pred [2, 3] and target [3, 2] must have the same shape");
  EXPECT_ERROR_HAS(make("name: mse\nreduction: none"), "loss.reduction: expected one of mean, sum, got 'none'");
  EXPECT_ERROR_HAS(make("name: mse\nbeta: 1"),
                   "loss.beta: unknown key for loss 'mse' (valid keys: reduction, mask_nan)");
  EXPECT_ERROR_HAS(make("name: smooth_l1\nbeta: 0"), "smooth_l1: beta must be > 0, got 0");
  EXPECT_ERROR_HAS(make("name: mae"), "unknown loss 'mae'");
}

}  // namespace
}  // namespace ecg::losses
