#include "losses/signal_losses.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/yaml_io.h"
#include "grad_check.h"
#include "losses/register_builtin_losses.h"
#include "losses/regression_losses.h"
#include "test_util.h"

namespace ecg::losses {
namespace {

std::shared_ptr<Loss> make(const std::string& yaml) {
  static LossRegistry r("loss");
  if (r.size() == 0) register_builtin_losses(r);
  return r.create(config::parse_yaml(yaml, "loss.yaml"), "loss");
}

const double kNaN = std::nan("");

TEST(MaskedRegression, IgnoresNanTargets) {
  const auto pred = torch::tensor({1.0, 2.0, 3.0, 4.0}, torch::kFloat64);
  const auto target = torch::tensor({0.0, kNaN, 0.0, kNaN}, torch::kFloat64);
  EXPECT_DOUBLE_EQ(make("name: mse\nmask_nan: true")->forward(pred, target).item<double>(), (1.0 + 9.0) / 2.0);
  EXPECT_DOUBLE_EQ(make("name: l1\nmask_nan: true\nreduction: sum")->forward(pred, target).item<double>(), 4.0);
  EXPECT_DOUBLE_EQ(make("name: smooth_l1\nmask_nan: true")->forward(pred, target).item<double>(), (0.5 + 2.5) / 2.0);
  EXPECT_TRUE(std::isnan(make("name: mse")->forward(pred, target).item<double>()));  // unmasked: NaN
  // Masked samples get exactly zero gradient.
  auto p = pred.clone().requires_grad_(true);
  make("name: mse\nmask_nan: true")->forward(p, target).backward();
  EXPECT_TRUE(torch::equal(p.grad(), torch::tensor({1.0, 0.0, 3.0, 0.0}, torch::kFloat64)));
  // All masked: 0, not NaN.
  EXPECT_DOUBLE_EQ(
      make("name: mse\nmask_nan: true")->forward(pred, torch::full({4}, kNaN, torch::kFloat64)).item<double>(), 0.0);
}

TEST(Pearson, ExactValues) {
  const auto t = torch::tensor({{1.0, 2.0, 3.0, 4.0}}, torch::kFloat64);
  auto loss = make("name: pearson\neps: 0");
  EXPECT_NEAR(loss->forward(t * 2 + 1, t).item<double>(), 0.0, 1e-15);  // r = 1
  EXPECT_NEAR(loss->forward(-t, t).item<double>(), 2.0, 1e-15);         // r = -1
  // p = [1, 3, 2, 4] vs t: cov 4, var 5 and 5 -> r = 0.8.
  EXPECT_NEAR(loss->forward(torch::tensor({{1.0, 3.0, 2.0, 4.0}}, torch::kFloat64), t).item<double>(), 0.2, 1e-15);
  // Masked: the NaN sample is dropped, leaving [1, 3, 4] vs [1, 3, 4].
  EXPECT_NEAR(make("name: pearson\nmask_nan: true\neps: 0")
                  ->forward(torch::tensor({{1.0, 9.0, 3.0, 4.0}}, torch::kFloat64),
                            torch::tensor({{1.0, kNaN, 3.0, 4.0}}, torch::kFloat64))
                  .item<double>(),
              0.0, 1e-15);
}

TEST(Snr, PerLeadAndPooledExactValues) {
  // Lead 0: signal 4, noise 1 -> 6.0206 dB; lead 1: signal 1, noise 1 -> 0 dB.
  const auto target = torch::tensor({{{2.0, 0.0}, {1.0, 0.0}}}, torch::kFloat64);
  const auto pred = torch::tensor({{{1.0, 0.0}, {0.0, 0.0}}}, torch::kFloat64);
  EXPECT_NEAR(make("name: snr\neps: 1e-300")->forward(pred, target).item<double>(), -10 * std::log10(4.0) / 2, 1e-12);
  // Pooled: (4 + 1) / (1 + 1).
  EXPECT_NEAR(make("name: snr\npooling: pooled\neps: 1e-300")->forward(pred, target).item<double>(),
              -10 * std::log10(2.5), 1e-12);
  EXPECT_ERROR_HAS(make("name: snr")->forward(torch::zeros({2, 3}), torch::zeros({2, 3})),
                   "snr: expected [batch, leads, T], got [2, 3]");
}

TEST(SignalLosses, GradientsMatchFiniteDifferences) {
  torch::manual_seed(1);
  const auto target = torch::randn({2, 3, 16}, torch::kFloat64);
  auto masked_target = target.clone();
  masked_target.index_put_({0, 1, torch::indexing::Slice(4, 9)}, kNaN);
  const auto x = torch::randn({2, 3, 16}, torch::kFloat64);
  for (const std::string spec :
       {"name: pearson", "name: pearson\nmask_nan: true", "name: snr", "name: snr\npooling: pooled\nmask_nan: true",
        "name: mse\nmask_nan: true", "name: smooth_l1\nbeta: 0.3\nmask_nan: true"}) {
    auto loss = make(spec);
    const auto& t = spec.find("mask_nan") != std::string::npos ? masked_target : target;
    EXPECT_LT(ecg::testing::max_grad_error([&](const torch::Tensor& p) { return loss->forward(p, t); }, x), 1e-6)
        << spec;
  }
}

}  // namespace
}  // namespace ecg::losses
