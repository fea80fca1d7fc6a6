#include "losses/classification_losses.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "core/yaml_io.h"
#include "grad_check.h"
#include "losses/register_builtin_losses.h"
#include "test_util.h"

namespace ecg::losses {
namespace {

std::shared_ptr<Loss> make(const std::string& yaml) {
  static LossRegistry r("loss");
  if (r.size() == 0) register_builtin_losses(r);
  return r.create(config::parse_yaml(yaml, "loss.yaml"), "loss");
}

torch::Tensor idx(std::vector<int64_t> v) {
  return torch::tensor(v, torch::kLong);
}

TEST(CrossEntropy, SmoothingAndSoftTargets) {
  const auto logits = torch::tensor({{0.0, std::log(3.0)}}, torch::kFloat64);  // p = [0.25, 0.75]
  EXPECT_NEAR(make("name: cross_entropy")->forward(logits, idx({1})).item<double>(), -std::log(0.75), 1e-12);
  EXPECT_NEAR(make("name: cross_entropy\nlabel_smoothing: 0.2")->forward(logits, idx({1})).item<double>(),
              0.8 * -std::log(0.75) + 0.2 * -(std::log(0.25) + std::log(0.75)) / 2, 1e-12);
  EXPECT_NEAR(make("name: cross_entropy")->forward(logits, torch::tensor({{0.5, 0.5}}, torch::kFloat64)).item<double>(),
              -(0.5 * std::log(0.25) + 0.5 * std::log(0.75)), 1e-12);
  EXPECT_ERROR_HAS(make("name: cross_entropy")->forward(logits, idx({2})),
                   "cross_entropy: target class 2 is outside [0, 2)");
  EXPECT_ERROR_HAS(make("name: cross_entropy")->forward(logits.view({2}), idx({1})),
                   "cross_entropy: expected logits [batch, classes], got [2]");
}

TEST(Focal, BinaryMulticlassMultilabel) {
  const double ln2 = std::log(2.0);
  const auto zero = torch::zeros({1, 2}, torch::kFloat64);
  const auto t = torch::tensor({{1.0, 0.0}}, torch::kFloat64);
  // p = 0.5 everywhere: (1 - p_t)^2 = 0.25; alpha 0.25 for the positive, 0.75 the negative.
  EXPECT_NEAR(make("name: focal")->forward(zero, t).item<double>(), (0.25 + 0.75) * 0.25 * ln2 / 2, 1e-12);
  EXPECT_NEAR(make("name: focal\nmode: binary")
                  ->forward(torch::zeros({3}, torch::kFloat64), torch::tensor({1.0, 1.0, 1.0}, torch::kFloat64))
                  .item<double>(),
              0.25 * 0.25 * ln2, 1e-12);
  const auto logits = torch::tensor({{0.0, std::log(3.0)}}, torch::kFloat64);
  EXPECT_NEAR(make("name: focal\nmode: multiclass")->forward(logits, idx({1})).item<double>(),
              0.25 * 0.0625 * -std::log(0.75), 1e-12);
  // gamma 0, alpha off: plain cross-entropy.
  EXPECT_NEAR(make("name: focal\nmode: multiclass\ngamma: 0\nalpha: -1")->forward(logits, idx({1})).item<double>(),
              -std::log(0.75), 1e-12);
  EXPECT_NEAR(make("name: bce")->forward(zero, t).item<double>(), ln2, 1e-12);
}

TEST(ClassBalanced, EffectiveNumberWeights) {
  const auto w = class_balanced_weights({100, 10}, 0.99);
  const double e0 = (1 - std::pow(0.99, 100)) / 0.01, e1 = (1 - std::pow(0.99, 10)) / 0.01;
  const double s = 1 / e0 + 1 / e1;
  EXPECT_NEAR(w[0], 2 * (1 / e0) / s, 1e-12);
  EXPECT_NEAR(w[1], 2 * (1 / e1) / s, 1e-12);
  EXPECT_NEAR(w[0] + w[1], 2.0, 1e-12);
  // beta -> 0: every class weighs 1.
  EXPECT_EQ(class_balanced_weights({5, 500}, 0.0), (std::vector<double>{1.0, 1.0}));
  const auto absent = class_balanced_weights({5, 0, 20}, 0.9);  // a class without samples: 0
  const double e5 = (1 - std::pow(0.9, 5)) / 0.1, e20 = (1 - std::pow(0.9, 20)) / 0.1;
  EXPECT_NEAR(absent[0], 2 * (1 / e5) / (1 / e5 + 1 / e20), 1e-12);
  EXPECT_EQ(absent[1], 0.0);
  EXPECT_NEAR(absent[0] + absent[2], 2.0, 1e-12);
  EXPECT_ERROR_HAS(class_balanced_weights({0, 0}, 0.9), "every class has 0 samples");
  EXPECT_ERROR_HAS(class_balanced_weights({3, -1}, 0.9), "class 1 has -1 samples");

  const auto logits = torch::tensor({{0.0, std::log(3.0)}, {0.0, std::log(3.0)}}, torch::kFloat64);
  const double l0 = -std::log(0.25), l1 = -std::log(0.75);
  EXPECT_NEAR(make("name: class_balanced\nbeta: 0.99\nsamples_per_class: [100, 10]\nbase: {name: cross_entropy}")
                  ->forward(logits, idx({0, 1}))
                  .item<double>(),
              (w[0] * l0 + w[1] * l1) / 2, 1e-12);
  const auto t = torch::tensor({{1.0, 1.0}, {0.0, 1.0}}, torch::kFloat64);
  const auto bce = torch::binary_cross_entropy_with_logits(logits, t, {}, {}, at::Reduction::None);
  const auto want = (bce * torch::tensor({w[0], w[1]}, torch::kFloat64)).mean().item<double>();
  EXPECT_NEAR(make("name: class_balanced\nbeta: 0.99\nsamples_per_class: [100, 10]\nbase: {name: bce}")
                  ->forward(logits, t)
                  .item<double>(),
              want, 1e-12);
  // min_samples raises small counts: [100, 3] weighs as [100, 10].
  EXPECT_NEAR(make("name: class_balanced\nbeta: 0.99\nmin_samples: 10\nsamples_per_class: [100, 3]\n"
                   "base: {name: cross_entropy}")
                  ->forward(logits, idx({0, 1}))
                  .item<double>(),
              (w[0] * l0 + w[1] * l1) / 2, 1e-12);
  EXPECT_ERROR_HAS(make("name: class_balanced\nsamples_per_class: [1, 2]\nbase: {name: mse}"),
                   "loss: class_balanced cannot weight loss 'mse' (use cross_entropy, bce, focal or asymmetric)");
  EXPECT_ERROR_HAS(make("name: class_balanced\nsamples_per_class: [1, 2]\nbase: {name: focal, gama: 1}"),
                   "loss.base.gama: unknown key for loss 'focal', did you mean 'gamma'?");
  EXPECT_ERROR_HAS(make("name: class_balanced\nbase: {name: bce}"),
                   "class_balanced needs samples_per_class (give them, or train on a dataset that counts its classes)");
}

TEST(Ldam, MarginsScaleAndDeferredReweighting) {
  auto loss = std::dynamic_pointer_cast<LdamLoss>(make("name: ldam\nsamples_per_class: [16, 1]"));
  ASSERT_TRUE(loss);
  EXPECT_NEAR(loss->margins()[0], 0.25, 1e-15);  // 1/16^(1/4) = 0.5, scaled so the largest (1) is 0.5
  EXPECT_NEAR(loss->margins()[1], 0.5, 1e-15);
  const auto x = torch::tensor({{0.1, 0.2}, {0.3, -0.1}}, torch::kFloat64);
  // Sample 0 (class 1): z = 30 * [0.1, 0.2 - 0.5]; sample 1 (class 0): z = 30 * [0.3 - 0.25, -0.1].
  const double n0 = std::log(std::exp(3.0) + std::exp(-9.0)) + 9.0;
  const double n1 = std::log(std::exp(1.5) + std::exp(-3.0)) - 1.5;
  EXPECT_NEAR(loss->forward(x, idx({1, 0})).item<double>(), (n0 + n1) / 2, 1e-12);
  loss->set_epoch(159);
  EXPECT_NEAR(loss->forward(x, idx({1, 0})).item<double>(), (n0 + n1) / 2, 1e-12);
  loss->set_epoch(160);  // DRW on: weights (beta 0.9999) of classes 1 and 0
  const auto w = class_balanced_weights({16, 1}, 0.9999);
  EXPECT_NEAR(loss->forward(x, idx({1, 0})).item<double>(), (w[1] * n0 + w[0] * n1) / (w[1] + w[0]), 1e-12);
  EXPECT_ERROR_HAS(loss->forward(torch::zeros({1, 3}, torch::kFloat64), idx({0})), "ldam: 3 logits but 2 classes");
}

TEST(Asymmetric, ExactValues) {
  const auto zero = torch::zeros({1, 2}, torch::kFloat64);
  const auto t = torch::tensor({{1.0, 0.0}}, torch::kFloat64);
  // Positive: -log 0.5. Negative: p_m = 0.45, -(0.45^4) log 0.55.
  const double want = (std::log(2.0) - std::pow(0.45, 4) * std::log(0.55)) / 2;
  EXPECT_NEAR(make("name: asymmetric")->forward(zero, t).item<double>(), want, 1e-12);
  EXPECT_NEAR(make("name: asymmetric\nreduction: sum")->forward(zero, t).item<double>(), 2 * want, 1e-12);
  // A negative below the clip costs nothing.
  EXPECT_NEAR(make("name: asymmetric")
                  ->forward(torch::tensor({{-5.0}}, torch::kFloat64), torch::zeros({1, 1}, torch::kFloat64))
                  .item<double>(),
              0.0, 1e-15);
}

TEST(ClassificationLosses, GradientsMatchFiniteDifferences) {
  torch::manual_seed(5);
  const auto x = torch::randn({4, 3}, torch::kFloat64);
  const auto cls = idx({0, 2, 1, 2});
  const auto multi =
      torch::tensor({{1.0, 0.0, 1.0}, {0.0, 0.0, 1.0}, {1.0, 1.0, 0.0}, {0.0, 1.0, 0.0}}, torch::kFloat64);
  const auto soft = torch::softmax(torch::randn({4, 3}, torch::kFloat64), 1);
  struct Case {
    std::string spec;
    torch::Tensor target;
  };
  const std::vector<Case> cases = {
      {"name: cross_entropy\nlabel_smoothing: 0.1", cls},
      {"name: cross_entropy", soft},
      {"name: bce", multi},
      {"name: focal", multi},
      {"name: focal\nmode: multiclass", cls},
      {"name: class_balanced\nsamples_per_class: [50, 5, 20]\nbeta: 0.99\nbase: {name: focal}", multi},
      {"name: class_balanced\nsamples_per_class: [50, 5, 20]\nbase: {name: cross_entropy}", cls},
      {"name: ldam\nsamples_per_class: [50, 5, 20]\ndrw_epoch: 0", cls},
      {"name: asymmetric\ngamma_pos: 1", multi},
      {"name: class_balanced\nsamples_per_class: [50, 5, 20]\nbase: {name: asymmetric}", multi},
  };
  for (const auto& c : cases) {
    auto loss = make(c.spec);
    EXPECT_LT(ecg::testing::max_grad_error([&](const torch::Tensor& p) { return loss->forward(p, c.target); }, x * 0.3),
              1e-6)
        << c.spec;
  }
  auto binary = make("name: focal\nmode: binary");
  const auto t1 = multi.select(1, 0);
  EXPECT_LT(ecg::testing::max_grad_error([&](const torch::Tensor& p) { return binary->forward(p, t1); },
                                         x.select(1, 0) * 0.3),
            1e-6);
}

}  // namespace
}  // namespace ecg::losses
