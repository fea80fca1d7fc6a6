#include "train/optimizers.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/yaml_io.h"
#include "test_util.h"
#include "train/lr_scheduler.h"

namespace ecg::train {
namespace {

// One step on f(p) = p^2 from p = 1 (gradient 2).
double one_step(const std::string& yaml) {
  OptimizerRegistry r("optimizer");
  register_builtin_optimizers(r);
  auto p = torch::ones({1}, torch::kFloat64).requires_grad_(true);
  auto opt = r.create(config::parse_yaml(yaml, "opt.yaml"), "optimizer", {torch::optim::OptimizerParamGroup({p})});
  opt->zero_grad();
  (p * p).sum().backward();
  opt->step();
  return p.item<double>();
}

TEST(Optimizers, OneStepExactValues) {
  EXPECT_DOUBLE_EQ(one_step("name: sgd\nlr: 0.1"), 0.8);
  EXPECT_DOUBLE_EQ(one_step("name: sgd\nlr: 0.1\nweight_decay: 0.5"), 1.0 - 0.1 * (2.0 + 0.5));
  // Adam's first step moves by lr * g / (|g| + eps) = lr (up to eps).
  EXPECT_NEAR(one_step("name: adam\nlr: 0.1"), 0.9, 1e-7);
  // AdamW decays the weight first, decoupled from the gradient: 1 * (1 - 0.1 * 0.5) - 0.1.
  EXPECT_NEAR(one_step("name: adamw\nlr: 0.1\nweight_decay: 0.5"), 0.85, 1e-7);
  // Adam's weight decay goes through the gradient, so the first step is still lr.
  EXPECT_NEAR(one_step("name: adam\nlr: 0.1\nweight_decay: 0.5"), 0.9, 1e-7);
}

TEST(Optimizers, DefaultsAndErrors) {
  OptimizerRegistry r("optimizer");
  register_builtin_optimizers(r);
  EXPECT_EQ(r.names(), (std::vector<std::string>{"adam", "adamw", "sgd"}));
  EXPECT_ERROR_HAS(one_step("name: sgd\nnesterov: true"), "optimizer 'sgd': nesterov needs momentum > 0");
  EXPECT_ERROR_HAS(one_step("name: adam\nbetas: [0.9]"), "optimizer.betas: expected 2 elements, got 1");
  EXPECT_ERROR_HAS(one_step("name: adam\nbetas: [0.9, 1.5]"), "optimizer.betas.1: must be <= 1, got 1.5");
  EXPECT_ERROR_HAS(one_step("name: adamw\nlr: -1"), "optimizer.lr: must be >= 0, got -1");
  EXPECT_ERROR_HAS(one_step("name: sdg"), "unknown optimizer 'sdg', did you mean 'sgd'?");
}

TEST(LrSchedulers, ExactFactors) {
  const StepLr step(StepLrOptions().step_size(10).gamma(0.5));
  EXPECT_DOUBLE_EQ(step.factor(0), 1.0);
  EXPECT_DOUBLE_EQ(step.factor(9), 1.0);
  EXPECT_DOUBLE_EQ(step.factor(10), 0.5);
  EXPECT_DOUBLE_EQ(step.factor(25), 0.25);

  const WarmupCosineLr cos(WarmupCosineOptions().warmup_steps(4).total_steps(14).min_factor(0.1));
  EXPECT_DOUBLE_EQ(cos.factor(0), 0.2);
  EXPECT_DOUBLE_EQ(cos.factor(3), 0.8);
  EXPECT_DOUBLE_EQ(cos.factor(4), 1.0);
  EXPECT_NEAR(cos.factor(9), 0.55, 1e-15);
  EXPECT_DOUBLE_EQ(cos.factor(14), 0.1);
  EXPECT_DOUBLE_EQ(cos.factor(1000), 0.1);
  EXPECT_DOUBLE_EQ(ConstantLr().factor(123), 1.0);
}

TEST(LrSchedulers, RegistryAndApply) {
  SchedulerRegistry r("scheduler");
  register_builtin_schedulers(r);
  const auto s =
      r.create(config::parse_yaml("name: warmup_cosine\nwarmup_steps: 0\ntotal_steps: 2", "s.yaml"), "scheduler");
  EXPECT_DOUBLE_EQ(s->factor(1), 0.5);
  EXPECT_ERROR_HAS(
      r.create(config::parse_yaml("name: warmup_cosine\nwarmup_steps: 5\ntotal_steps: 5", "s.yaml"), "scheduler"),
      "need 0 <= warmup_steps < total_steps, got 5 and 5");
  EXPECT_ERROR_HAS(r.create(config::parse_yaml("name: constant\nlr: 1", "s.yaml"), "scheduler"),
                   "scheduler.lr: unknown key for scheduler 'constant' (it takes no options)");

  auto a = torch::zeros({1}, torch::requires_grad());
  auto b = torch::zeros({1}, torch::requires_grad());
  torch::optim::SGD sgd({torch::optim::OptimizerParamGroup({a}), torch::optim::OptimizerParamGroup({b})},
                        torch::optim::SGDOptions(1.0));
  apply_lr(sgd, {0.1, 0.01}, 0.5);
  EXPECT_DOUBLE_EQ(sgd.param_groups()[0].options().get_lr(), 0.05);
  EXPECT_DOUBLE_EQ(sgd.param_groups()[1].options().get_lr(), 0.005);
  EXPECT_ERROR_HAS(apply_lr(sgd, {0.1}, 1.0), "apply_lr: 2 parameter groups but 1 base learning rates");
}

}  // namespace
}  // namespace ecg::train
