#include "losses/weighted_loss.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/yaml_io.h"
#include "losses/classification_losses.h"
#include "losses/register_builtin_losses.h"
#include "test_util.h"

namespace ecg::losses {
namespace {

TEST(WeightedLoss, SumsWeightedTermsAndReportsParts) {
  LossRegistry r("loss");
  register_builtin_losses(r);
  const auto loss =
      make_loss(config::parse_yaml("terms:\n  - {name: mse}\n  - {name: l1, weight: 0.5}\n", "loss.yaml"), "loss", r);
  const auto pred = torch::tensor({1.0, 3.0}, torch::kFloat64), target = torch::zeros({2}, torch::kFloat64);
  EXPECT_DOUBLE_EQ(loss->forward(pred, target).item<double>(), 5.0 + 0.5 * 2.0);
  std::vector<std::pair<std::string, double>> parts;
  EXPECT_DOUBLE_EQ(loss->forward_parts(pred, target, parts).item<double>(), 6.0);
  EXPECT_EQ(parts, (std::vector<std::pair<std::string, double>>{{"mse", 5.0}, {"l1", 2.0}}));
}

TEST(WeightedLoss, SetEpochReachesEveryTerm) {
  LossRegistry r("loss");
  register_builtin_losses(r);
  const auto loss =
      make_loss(config::parse_yaml("terms: [{name: ldam, samples_per_class: [9, 1], drw_epoch: 2}]", "l"), "loss", r);
  const auto x = torch::tensor({{0.2, 0.1}, {0.0, 0.3}}, torch::kFloat64);
  const auto t = torch::tensor({0, 1}, torch::kLong);
  const double before = loss->forward(x, t).item<double>();
  loss->set_epoch(2);
  EXPECT_NE(loss->forward(x, t).item<double>(), before);
}

TEST(WeightedLoss, ConfigErrors) {
  LossRegistry r("loss");
  register_builtin_losses(r);
  auto build = [&](const std::string& yaml) { return make_loss(config::parse_yaml(yaml, "loss.yaml"), "loss", r); };
  EXPECT_ERROR_HAS(build("name: mse\n"), "loss.yaml:1:1: loss.name: unknown key for the loss (valid keys: terms)");
  EXPECT_ERROR_HAS(build("terms: []\n"), "loss.terms: at least one term is needed");
  EXPECT_ERROR_HAS(build("terms: [{name: msee}]\n"), "loss.terms.0.name: unknown loss 'msee', did you mean 'mse'?");
  EXPECT_ERROR_HAS(build("terms: [{name: mse, wieght: 2}]\n"),
                   "loss.terms.0.wieght: unknown key for loss 'mse', did you mean 'weight'?");
  EXPECT_ERROR_HAS(build("terms: [{name: mse, weight: heavy}]\n"), "loss.terms.0.weight: expected float, got 'heavy'");
}

}  // namespace
}  // namespace ecg::losses
