#include "losses/strip_trace_losses.h"

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

const double kNaN = std::nan("");

// pred [1, 6 + 1, 3]: column 0 peaks at rows 2 and 3 alike, column 1 at row 5 (the
// strip's edge), column 2 is flat; the confidence row is 0, 2, -2.
torch::Tensor pred3() {
  auto p = torch::zeros({1, 7, 3}, torch::kFloat64);
  p[0][2][0] = 5;
  p[0][3][0] = 5;
  p[0][5][1] = 3;
  p[0][6][0] = 0;
  p[0][6][1] = 2;
  p[0][6][2] = -2;
  return p;
}

TEST(StripRows, TopKSoftArgmaxExactValues) {
  const auto p = pred3();
  const auto r0 = strip_rows(p, 0);
  EXPECT_EQ(r0[0][0].item<double>(), 2.0);  // the first maximum
  EXPECT_EQ(r0[0][1].item<double>(), 5.0);
  // k = 1: column 0 weighs rows 1, 2, 3 as softmax(0, 5, 5); column 1 rows 4, 5, 5 (clamped).
  const auto r1 = strip_rows(p, 1);
  const double e5 = std::exp(5.0);
  EXPECT_NEAR(r1[0][0].item<double>(), (1 + 2 * e5 + 3 * e5) / (1 + 2 * e5), 1e-12);
  const double e3 = std::exp(3.0);
  EXPECT_NEAR(r1[0][1].item<double>(), (4 + 5 * e3 + 5 * e3) / (1 + 2 * e3), 1e-12);
  // A flat column: rows 0 (argmax), 0, 1 under k = 1 -> (0 + 0 + 1) / 3.
  EXPECT_NEAR(r1[0][2].item<double>(), 1.0 / 3.0, 1e-12);
  const auto c = strip_confidence(p);
  EXPECT_NEAR(c[0][1].item<double>(), 1 / (1 + std::exp(-2.0)), 1e-12);
  EXPECT_ERROR_HAS(strip_rows(torch::zeros({2, 3}), 1), "strip_rows: expected pred [batch, H + 1, W], got [2, 3]");
}

TEST(StripPathRows, StaysOnAContinuousTrace) {
  // 12 rows, 6 columns: the trace at row 3, except that column 2 prefers row 10 (a
  // neighbour's trace) by 1 nat and column 4 steps to row 5 for real.
  auto p = torch::full({1, 13, 6}, -20.0, torch::kFloat64);
  for (int64_t c = 0; c < 6; ++c) p[0][c == 4 ? 5 : 3][c] = 0;
  p[0][10][2] = 1;
  p[0][3][2] = 0;
  const auto greedy = strip_rows(p, 0);
  EXPECT_EQ(greedy[0][2].item<double>(), 10.0);
  const auto path = strip_path_rows(p, 0, 0.2);  // leaving for row 10 and back costs 2.8 nats
  EXPECT_EQ(path[0][2].item<double>(), 3.0);
  EXPECT_EQ(path[0][4].item<double>(), 5.0);  // a 2-row step costs 0.4: taken
  EXPECT_TRUE(torch::equal(strip_path_rows(p, 0, 0.0), greedy));
  // top_k refines around the path's row, as strip_rows does around the argmax.
  EXPECT_NEAR(strip_path_rows(p, 1, 0.2)[0][0].item<double>(), strip_rows(p, 1)[0][0].item<double>(), 1e-12);
  EXPECT_ERROR_HAS(strip_path_rows(p, 1, -1), "strip_path_rows: top_k and jump_nats_per_row must be >= 0");
}

TEST(StripGaussianCe, ExactValueMasksAndGradient) {
  const auto p = pred3();
  const auto t = torch::tensor({{{2.0, kNaN, 0.5}, {0.0, 0.0, 0.0}, {10.0, 10.0, 10.0}}}, torch::kFloat64);
  // By hand: q over rows 0..5 for y = 2 and y = 0.5 at sigma 1, against log_softmax of the logits.
  auto ce_col = [&](int64_t col, double y) {
    const auto rows = torch::arange(6, torch::kFloat64);
    const auto q = torch::softmax(-(rows - y).pow(2) / 2, 0);
    const auto lp = torch::log_softmax(p[0].slice(0, 0, 6).select(1, col), 0);
    return -(q * lp).sum().item<double>();
  };
  const double want = (ce_col(0, 2.0) + ce_col(2, 0.5)) / 2;
  EXPECT_NEAR(make("name: strip_gaussian_ce")->forward(p, t).item<double>(), want, 1e-12);
  // The NaN column gets no gradient; the rest matches finite differences.
  auto pg = p.clone().requires_grad_(true);
  make("name: strip_gaussian_ce")->forward(pg, t).backward();
  EXPECT_EQ(pg.grad().select(2, 1).abs().sum().item<double>(), 0.0);
  const auto loss = make("name: strip_gaussian_ce\nsigma_rows: 0.7");
  EXPECT_LT(ecg::testing::max_grad_error([&](const torch::Tensor& x) { return loss->forward(x, t); }, p), 1e-6);
  EXPECT_ERROR_HAS(make("name: strip_gaussian_ce")->forward(p, t.narrow(1, 0, 2)),
                   "strip_gaussian_ce: expected target [1, 3, 3] (row, mV, rows per mV), got [1, 2, 3]");
}

TEST(StripSnr, ExactValueAndGradient) {
  const auto p = pred3();
  // Rows per mV 2: read rows (k = 1) r1; mV error (y - r1) / 2.
  const auto r1 = strip_rows(p, 1);
  const auto t = torch::tensor({{{2.0, 4.0, kNaN}, {1.0, -0.5, 0.3}, {2.0, 2.0, 2.0}}}, torch::kFloat64);
  const double e0 = (2.0 - r1[0][0].item<double>()) / 2, e1 = (4.0 - r1[0][1].item<double>()) / 2;
  const double want = -10 * std::log10((1.0 + 0.25 + 1e-4) / (e0 * e0 + e1 * e1 + 1e-4));
  EXPECT_NEAR(make("name: strip_snr\ntop_k: 1")->forward(p, t).item<double>(), want, 1e-10);
  // Away from argmax ties (a tie moves the window: the loss is only piecewise smooth).
  auto q = p.clone();
  q[0][2][0] = 5.5;
  const auto loss = make("name: strip_snr\ntop_k: 2");
  EXPECT_LT(ecg::testing::max_grad_error([&](const torch::Tensor& x) { return loss->forward(x, t); }, q), 1e-5);
}

TEST(StripConfidence, ExactValue) {
  const auto p = pred3();
  const auto t = torch::tensor({{{2.0, kNaN, 0.5}, {0.0, 0.0, 0.0}, {1.0, 1.0, 1.0}}}, torch::kFloat64);
  auto sp = [](double x) { return std::log1p(std::exp(x)); };  // softplus: -log sigmoid(-x)
  // present 1, 0, 1 at logits 0, 2, -2; pos_weight 3 weighs the present ones.
  const double want = (3 * sp(-0.0) + sp(2.0) + 3 * sp(2.0)) / 3;
  EXPECT_NEAR(make("name: strip_confidence\npos_weight: 3")->forward(p, t).item<double>(), want, 1e-12);
}

TEST(StripConfidence, WithinRowsMarksOnlyTheColumnsReadRight) {
  const auto p = pred3();  // argmax rows 2, 5, 0
  const auto t = torch::tensor({{{2.0, kNaN, 3.0}, {0.0, 0.0, 0.0}, {1.0, 1.0, 1.0}}}, torch::kFloat64);
  auto sp = [](double x) { return std::log1p(std::exp(x)); };
  // column 0 read right (positive, logit 0); column 1 has no trace; column 2 is read 3
  // rows off (negative at logit -2). within_rows 1: positives 1, 0, 0.
  const double want = (sp(-0.0) + sp(2.0) + sp(-2.0)) / 3;
  EXPECT_NEAR(make("name: strip_confidence\nwithin_rows: 1")->forward(p, t).item<double>(), want, 1e-12);
  // within_rows 3 takes column 2 as right: as without it.
  const double loose = (sp(-0.0) + sp(2.0) + sp(2.0)) / 3;
  EXPECT_NEAR(make("name: strip_confidence\nwithin_rows: 3")->forward(p, t).item<double>(), loose, 1e-12);
  EXPECT_NEAR(make("name: strip_confidence")->forward(p, t).item<double>(), loose, 1e-12);
}

}  // namespace
}  // namespace ecg::losses
