#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "core/yaml_io.h"
#include "losses/classification_metrics.h"
#include "losses/detection_metrics.h"
#include "losses/register_builtin_losses.h"
#include "losses/signal_metrics.h"
#include "test_util.h"

namespace ecg::losses {
namespace {

const double kNaN = std::nan("");

TEST(PearsonMetric, PerLeadAndOverall) {
  const auto t = torch::tensor({{{1.0, 2.0, 3.0, 4.0}, {1.0, 2.0, 3.0, 4.0}}}, torch::kFloat64);
  const auto p = torch::tensor({{{2.0, 4.0, 6.0, 8.0}, {1.0, 3.0, 2.0, 4.0}}}, torch::kFloat64);
  PearsonMetric m;
  m.update(p, t);
  const auto v = m.compute();
  EXPECT_NEAR(v.at("pearson/0"), 1.0, 1e-12);
  EXPECT_NEAR(v.at("pearson/1"), 0.8, 1e-12);
  EXPECT_NEAR(v.at("pearson"), 0.9, 1e-12);
  PearsonMetric n;
  n.merge(m.state());
  n.merge(m.state());
  EXPECT_NEAR(n.compute().at("pearson"), 0.9, 1e-12);
}

TEST(MaeMetric, MicrovoltsOverFiniteSamples) {
  MaeMetric m;
  m.update(torch::tensor({0.1, 0.5, 9.0}, torch::kFloat64), torch::tensor({0.0, 0.3, kNaN}, torch::kFloat64));
  EXPECT_NEAR(m.compute().at("mae_uv"), 150.0, 1e-9);  // (100 + 200) / 2 uV
}

TEST(KeypointErrorMetric, Milliseconds) {
  KeypointErrorMetric m(500);
  m.update(torch::tensor({{10.0, 20.0}, {30.0, 41.0}}, torch::kFloat64),
           torch::tensor({{15.0, kNaN}, {30.0, 40.0}}, torch::kFloat64));
  const auto v = m.compute();
  EXPECT_NEAR(v.at("keypoint_error_ms/0"), 5.0, 1e-12);  // (10 + 0) / 2 ms
  EXPECT_NEAR(v.at("keypoint_error_ms/1"), 2.0, 1e-12);
  EXPECT_NEAR(v.at("keypoint_error_ms"), 4.0, 1e-12);  // (10 + 0 + 2) / 3
}

TEST(Auroc, ExactWithTies) {
  EXPECT_NEAR(auroc({0.1, 0.4, 0.35, 0.8}, {0, 0, 1, 1}), 0.75, 1e-15);
  EXPECT_NEAR(auroc({0.1, 0.5, 0.5, 0.9}, {0, 0, 1, 1}), 0.875, 1e-15);  // a tie counts half
  EXPECT_NEAR(auroc({0.5, 0.5, 0.5, 0.5}, {0, 1, 0, 1}), 0.5, 1e-15);
  EXPECT_TRUE(std::isnan(auroc({0.1, 0.2}, {1, 1})));
}

TEST(MacroAuroc, StreamsMergesAndSkipsDegenerateClasses) {
  MacroAurocMetric a, b;
  a.update(torch::tensor({{0.1, 0.0}, {0.4, 0.0}}, torch::kFloat64), torch::tensor({{0.0, 1.0}, {0.0, 1.0}}));
  b.update(torch::tensor({{0.35, 0.0}, {0.8, 0.0}}, torch::kFloat64), torch::tensor({{1.0, 1.0}, {1.0, 1.0}}));
  a.merge(b.state());
  const auto v = a.compute();
  EXPECT_NEAR(v.at("auroc/0"), 0.75, 1e-15);
  EXPECT_TRUE(std::isnan(v.at("auroc/1")));  // class 1 has no negatives
  EXPECT_NEAR(v.at("macro_auroc"), 0.75, 1e-15);
}

TEST(MacroF, ChallengeDefinition) {
  MacroFMetric m;
  // sigmoid >= 0.5 <=> logit >= 0. Class 0: TP 1, FP 1, FN 0 -> 2/3. Class 1: TP 0, FP 0,
  // FN 1 -> 0. Class 2: never true, never predicted -> left out.
  const auto logits = torch::tensor({{1.0, -1.0, -1.0}, {1.0, -1.0, -1.0}}, torch::kFloat64);
  const auto t = torch::tensor({{1.0, 0.0, 0.0}, {0.0, 1.0, 0.0}});
  m.update(logits, t);
  const auto v = m.compute();
  EXPECT_NEAR(v.at("f/0"), 2.0 / 3.0, 1e-15);
  EXPECT_NEAR(v.at("f/1"), 0.0, 1e-15);
  EXPECT_TRUE(std::isnan(v.at("f/2")));
  EXPECT_NEAR(v.at("macro_f"), 1.0 / 3.0, 1e-15);
}

TEST(Accuracy, ConfusionSensitivitySpecificity) {
  AccuracyMetric m;
  const auto logits = torch::tensor({{2.0, 0.0}, {2.0, 0.0}, {0.0, 2.0}, {2.0, 0.0}}, torch::kFloat64);
  m.update(logits, torch::tensor({0, 0, 1, 1}, torch::kLong));
  const auto v = m.compute();
  EXPECT_DOUBLE_EQ(v.at("accuracy"), 0.75);
  EXPECT_DOUBLE_EQ(v.at("confusion/1/0"), 1.0);
  EXPECT_DOUBLE_EQ(v.at("sensitivity/1"), 0.5);
  EXPECT_DOUBLE_EQ(v.at("specificity/1"), 1.0);
  EXPECT_DOUBLE_EQ(v.at("sensitivity/0"), 1.0);
  EXPECT_DOUBLE_EQ(v.at("specificity/0"), 0.5);
  EXPECT_DOUBLE_EQ(v.at("ppv/0"), 2.0 / 3.0);  // predicted 0 three times, right twice
  EXPECT_DOUBLE_EQ(v.at("ppv/1"), 1.0);
  EXPECT_ERROR_HAS(m.update(logits, torch::tensor({0, 0, 1, 2}, torch::kLong)), "accuracy: target class 2 is outside");
}

TEST(Ece, OneBinHalfRight) {
  EceMetric m;
  const double l3 = std::log(3.0);  // confidence 0.75 both times; one right, one wrong
  m.update(torch::tensor({{l3, 0.0}, {0.0, l3}}, torch::kFloat64), torch::tensor({0, 0}, torch::kLong));
  EXPECT_NEAR(m.compute().at("ece"), 0.25, 1e-12);
}

TEST(Metrics, RegisteredWithOptions) {
  MetricRegistry r("metric");
  register_builtin_metrics(r);
  auto k = r.create(config::parse_yaml("name: snr_kaggle\nfs_hz: 250\ncap: 1e6", "m.yaml"), "metrics.0");
  EXPECT_TRUE(std::isnan(k->compute().at("snr_kaggle_db")));
  EXPECT_ERROR_HAS(r.create(config::parse_yaml("name: ece\nbins: 0", "m.yaml"), "metrics.0"),
                   "metrics.0.bins: must be >= 1, got 0");
}

// Two classes: query 0 says class 0 at x 0.10, query 1 class 1 at x 0.52, query 2 "no
// object". Targets: class 0 at 0.12 (20 ms off: found), class 1 at 0.60 (80 ms: missed).
TEST(KeypointDetection, MatchedErrorRecallPrecision) {
  KeypointDetectionMetric m(2, 1000.0, 50.0);
  const auto layer =
      torch::tensor({{{9.0, 0.0, 0.0, 0.10, 0.5}, {0.0, 9.0, 0.0, 0.52, 0.5}, {0.0, 0.0, 9.0, 0.9, 0.9}}});
  const auto pred = torch::stack({torch::zeros_like(layer), layer}, 1);  // [1, 2 layers, 3, 5]: the last counts
  const auto target = torch::tensor({{{0.0, 0.12, 0.5}, {1.0, 0.60, 0.5}, {-1.0, 0.0, 0.0}}});
  m.update(pred, target);
  auto v = m.compute();
  EXPECT_NEAR(v.at("kp_error_ms"), 20.0, 1e-4);  // float32 inputs
  EXPECT_DOUBLE_EQ(v.at("kp_recall"), 0.5);
  EXPECT_DOUBLE_EQ(v.at("kp_precision"), 0.5);
  EXPECT_DOUBLE_EQ(v.at("kp_f1"), 0.5);
  // Per class: class 0 found 20 ms off, class 1 missed (its query predicted it, 80 ms off).
  EXPECT_NEAR(v.at("kp_error_ms/0"), 20.0, 1e-4);
  EXPECT_DOUBLE_EQ(v.at("kp_recall/0"), 1.0);
  EXPECT_DOUBLE_EQ(v.at("kp_precision/0"), 1.0);
  EXPECT_TRUE(std::isnan(v.at("kp_error_ms/1")));
  EXPECT_DOUBLE_EQ(v.at("kp_recall/1"), 0.0);
  EXPECT_DOUBLE_EQ(v.at("kp_precision/1"), 0.0);
  KeypointDetectionMetric other(2, 1000.0, 50.0);
  other.merge(m.state());
  other.merge(m.state());
  EXPECT_DOUBLE_EQ(other.compute().at("kp_recall"), 0.5);
  EXPECT_EQ(other.state()["targets"], nlohmann::json({2, 2}));
  KeypointDetectionMetric three(3, 1000.0, 50.0);
  EXPECT_ERROR_HAS(three.merge(m.state()), "keypoint_detection: cannot merge 2 classes into 3");
  m.reset();
  EXPECT_TRUE(std::isnan(m.compute().at("kp_recall")));
  EXPECT_ERROR_HAS(m.update(torch::zeros({1, 3, 4}), target), "keypoint_detection: pred must be [B, (L,) Q, 5]");
}

}  // namespace
}  // namespace ecg::losses
