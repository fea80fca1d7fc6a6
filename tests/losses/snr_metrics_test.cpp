#include "losses/snr_metrics.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "core/yaml_io.h"
#include "losses/register_builtin_losses.h"
#include "test_util.h"

namespace ecg::losses {
namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

void expect_aligned(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << i;
    } else {
      EXPECT_NEAR(got[i], want[i], 1e-12) << i;
    }
  }
}

// The examples in the organisers' metric code.
TEST(KaggleAlign, OrganisersExamples) {
  const int64_t unlimited = 1000;
  expect_aligned(kaggle_align({0, 1, 2, 1, 0}, {0, 1, 2, 1, 0}, unlimited).pred, {0, 1, 2, 1, 0});
  const auto offset = kaggle_align({0, 1, 2, 1, 0}, {10, 11, 12, 11, 10}, unlimited);
  expect_aligned(offset.pred, {0, 1, 2, 1, 0});
  EXPECT_NEAR(offset.offset, 10.0, 1e-12);
  const auto shifted = kaggle_align({0, 0, 1, 2, 1, 0, 0}, {1, 2, 1, 0, 0, 0, 0}, unlimited);
  expect_aligned(shifted.pred, {kNaN, kNaN, 1, 2, 1, 0, 0});
  EXPECT_EQ(shifted.lag, 2);
  expect_aligned(kaggle_align({0, 0, 0, 0, 1, 2, 1}, {1, 2, 1, 0, 0, 0, 0}, 10).pred,
                 {kNaN, kNaN, kNaN, kNaN, 1, 2, 1});
}

TEST(KaggleAlign, ShiftLimitAndTies) {
  // Zero-mean series whose best lag is 3: found at the boundary max_shift = 3 ...
  const std::vector<double> label = {0, 0, 0, 1, -1, 0, 0}, pred = {1, -1, 0, 0, 0, 0, 0};
  const auto a = kaggle_align(label, pred, 3);
  EXPECT_EQ(a.lag, 3);
  expect_aligned(a.pred, {kNaN, kNaN, kNaN, 1, -1, 0, 0});
  // ... and out of reach with max_shift 2, where lags -2..1 all correlate 0: the tie goes
  // to the smallest |lag|.
  EXPECT_EQ(kaggle_align(label, pred, 2).lag, 0);
  // A constant prediction correlates 0 at every lag: the tie goes to lag 0.
  EXPECT_EQ(kaggle_align({1, 2, 3}, {5, 5, 5}, 2).lag, 0);
  EXPECT_ERROR_HAS(kaggle_align({1, kNaN}, {1, 2}, 1), "label values must all be finite");
  EXPECT_ERROR_HAS(kaggle_align({1, 2}, {kNaN, kNaN}, 1), "the prediction has no finite value");
}

// The organisers' worked example: fs = 1, leads of 3 samples, lead II of 12.
struct Image {
  std::vector<std::vector<double>> leads;  // I, II, III, aVR, aVL, aVF, V1..V6
};
Image example() {
  return Image{{{0.1, 0.3, 0.4},
                {0.6, 0.6, 0.4, 0.2, 0.3, 0.4, 0.5, 0.2, 0.7, 0.2, 0.3, 0.4},
                {0.6, 0.6, 0.4},
                {0.2, 0.3, 0.4},
                {0.5, 0.2, 0.7},
                {0.2, 0.3, 0.4},
                {0.8, 0.6, 0.7},
                {0.2, 0.3, -0.1},
                {0.5, 0.6, 0.7},
                {0.2, 0.9, 0.4},
                {0.5, 0.6, 0.7},
                {0.1, 0.3, 0.4}}};
}

double score_one(const Image& truth, const Image& pred, double cap = 384) {
  return kaggle_score_db({kaggle_image_ratio(truth.leads, pred.leads, /*fs_hz=*/1, cap)}, cap);
}

TEST(KaggleScore, OrganisersWorkedExample) {
  const Image truth = example();
  Image pred = truth;
  EXPECT_NEAR(score_one(truth, pred), 25.8433, 5e-5);  // perfect: the cap, 10 log10(384)
  pred.leads[0][0] = 0.9;                              // lead I, first sample
  EXPECT_NEAR(score_one(truth, pred), 13.6291, 5e-5);
  pred.leads[2][1] = 0.3;  // lead III, second sample
  EXPECT_NEAR(score_one(truth, pred), 13.0576, 5e-5);
  Image silent = truth;
  for (auto& l : silent.leads) std::fill(l.begin(), l.end(), 0.0);
  EXPECT_DOUBLE_EQ(score_one(silent, pred), -384.0);  // no signal power: ratio 0, floored at -cap
  EXPECT_NEAR(score_one(silent, silent), 25.8433, 5e-5);
  EXPECT_NEAR(score_one(truth, truth, 1e6), 60.0, 1e-9);  // the other copy's cap
}

TEST(KaggleScore, MeanOfRatiosThenDecibels) {
  EXPECT_NEAR(kaggle_score_db({100.0, 1.0}, 384), 10 * std::log10(50.5), 1e-12);
  EXPECT_DOUBLE_EQ(kaggle_ratio(2.0, 0.0, 384), 384);
  EXPECT_DOUBLE_EQ(kaggle_ratio(0.0, 3.0, 384), 0);
  EXPECT_DOUBLE_EQ(kaggle_ratio(1000.0, 1.0, 384), 384);
  EXPECT_DOUBLE_EQ(kaggle_ratio(10.0, 4.0, 384), 2.5);
}

TEST(ChallengeSnr, HandValuesAndEdgeCases) {
  EXPECT_NEAR(challenge2024_snr_db({1, 2}, {1, 1}), 10 * std::log10(5.0), 1e-12);
  EXPECT_EQ(challenge2024_snr_db({1, 2}, {1, 2, 9}), kInf);                           // truncated: zero noise
  EXPECT_NEAR(challenge2024_snr_db({1, 2}, {1}), 10 * std::log10(5.0 / 4.0), 1e-12);  // zero-padded
  EXPECT_NEAR(challenge2024_snr_db({1, kNaN, 2}, {1, 5, kNaN}), 10 * std::log10(5.0 / 29.0), 1e-12);  // NaN -> 0
  EXPECT_NEAR(challenge2024_snr_db({1, 2}, {0, 0}), 0.0, 1e-12);  // a missing lead is zeros: 0 dB
  EXPECT_EQ(challenge2024_snr_db({0, 0}, {1, 0}), -kInf);
}

TEST(ChallengeSnrMetric, StreamsAndMerges) {
  // Record 0: lead 0 -> 10 log10(5), lead 1 -> 0 dB (prediction missing = zeros).
  auto target = torch::tensor({{{1.0, 2.0}, {3.0, 4.0}}}, torch::kFloat64);
  auto pred = torch::tensor({{{1.0, 1.0}, {0.0, 0.0}}}, torch::kFloat64);
  ChallengeSnrMetric a, b, both;
  a.update(pred, target);
  b.update(pred * 2, target);  // lead 0: noise (1, 0) -> 10 log10(5); lead 1: 0 dB
  both.update(pred, target);
  both.update(pred * 2, target);
  a.merge(b.state());
  const double want = (10 * std::log10(5.0) * 2) / 4;
  EXPECT_NEAR(a.compute().at("snr_challenge_db"), want, 1e-12);
  EXPECT_NEAR(both.compute().at("snr_challenge_db"), want, 1e-12);
  ChallengeSnrMetric perfect;
  perfect.update(target, target);
  EXPECT_EQ(perfect.compute().at("snr_challenge_db"), kInf);
  EXPECT_ERROR_HAS(a.merge(nlohmann::json{{"x", 1}}), "snr_challenge2024: cannot merge state");
}

// A digitiser outputs every lead in every column; where a lead is not plotted (NaN
// target) its output is taken as 0 unless score_unplotted asks for the raw output.
TEST(ChallengeSnrMetric, UnplottedColumnsOfThePredictionCountAsZeroUnlessAsked) {
  const auto target = torch::tensor({{{1.0, 2.0, kNaN, kNaN}}}, torch::kFloat64);
  const auto pred = torch::tensor({{{1.0, 1.0, 5.0, -3.0}}}, torch::kFloat64);
  ChallengeSnrMetric plotted;
  plotted.update(pred, target);
  EXPECT_NEAR(plotted.compute().at("snr_challenge_db"), 10 * std::log10(5.0 / 1.0), 1e-12);
  plotted.reset();  // keeps the option
  plotted.update(pred, target);
  EXPECT_NEAR(plotted.compute().at("snr_challenge_db"), 10 * std::log10(5.0 / 1.0), 1e-12);
  MetricRegistry r("metric");
  register_builtin_metrics(r);
  auto raw = r.create(config::parse_yaml("name: snr_challenge2024\nscore_unplotted: true", "m.yaml"), "metrics.1");
  raw->update(pred, target);
  EXPECT_NEAR(raw->compute().at("snr_challenge_db"), 10 * std::log10(5.0 / (1.0 + 25.0 + 9.0)), 1e-12);
  raw->reset();
  raw->update(pred, target);
  EXPECT_NEAR(raw->compute().at("snr_challenge_db"), 10 * std::log10(5.0 / 35.0), 1e-12);
}

TEST(KaggleSnrMetric, MatchesRecordLevelScoringAndSkipsAbsentLeads) {
  // Two leads at fs 10 (max shift 2): lead 0 over all 20 samples, lead 1 only over
  // samples 5..14 (NaN elsewhere, like a 2.5 s lead in a 10 s array).
  torch::manual_seed(8);
  auto target = torch::randn({1, 3, 20}, torch::kFloat64);
  target.index_put_({0, 1, torch::indexing::Slice(0, 5)}, kNaN);
  target.index_put_({0, 1, torch::indexing::Slice(15, 20)}, kNaN);
  target.index_put_({0, 2}, kNaN);  // lead absent from the label
  const auto pred = target.nan_to_num(0.0) + 0.1 * torch::randn({1, 3, 20}, torch::kFloat64);
  KaggleSnrMetric m(/*fs_hz=*/10);
  m.update(pred, target);
  auto vec = [](const torch::Tensor& t) {
    return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
  };
  const double ratio =
      kaggle_image_ratio({vec(target[0][0].contiguous()), vec(target[0][1].slice(0, 5, 15).contiguous())},
                         {vec(pred[0][0].contiguous()), vec(pred[0][1].slice(0, 5, 15).contiguous())}, 10, 384);
  EXPECT_NEAR(m.compute().at("snr_kaggle_db"), 10 * std::log10(ratio), 1e-12);
  KaggleSnrMetric other(10);
  other.update(pred, target);
  m.merge(other.state());
  EXPECT_NEAR(m.compute().at("snr_kaggle_db"), 10 * std::log10(ratio), 1e-12);
  EXPECT_ERROR_HAS(KaggleSnrMetric(0), "snr_kaggle: fs_hz must be > 0");
}

}  // namespace
}  // namespace ecg::losses
