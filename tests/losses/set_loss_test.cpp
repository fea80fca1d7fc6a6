#include "losses/set_loss.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/yaml_io.h"
#include "grad_check.h"
#include "losses/hungarian.h"
#include "losses/register_builtin_losses.h"
#include "test_util.h"

namespace ecg::losses {
namespace {

std::shared_ptr<Loss> make(const std::string& yaml) {
  static LossRegistry r("loss");
  if (r.size() == 0) register_builtin_losses(r);
  return r.create(config::parse_yaml(yaml, "loss.yaml"), "loss");
}

double brute_force(const std::vector<double>& cost, int64_t rows, int64_t cols) {
  std::vector<int64_t> perm(static_cast<size_t>(cols));
  std::iota(perm.begin(), perm.end(), 0);
  double best = 1e300;
  do {
    double c = 0;
    for (int64_t r = 0; r < rows; ++r) c += cost[r * cols + perm[r]];
    best = std::min(best, c);
  } while (std::next_permutation(perm.begin(), perm.end()));
  return best;
}

TEST(LinearAssignment, AgreesWithBruteForceOnRandomMatrices) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(-5, 5);
  std::uniform_int_distribution<int> small(0, 3);
  for (int trial = 0; trial < 300; ++trial) {
    const int64_t rows = 1 + trial % 5, cols = rows + trial % 3;
    std::vector<double> cost(static_cast<size_t>(rows * cols));
    // Half the trials use small integers, so ties are common.
    for (auto& c : cost) c = trial % 2 ? u(rng) : static_cast<double>(small(rng));
    const auto a = linear_assignment(cost, rows, cols);
    std::vector<int64_t> sorted = a;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_TRUE(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end()) << "columns repeat";
    double total = 0;
    for (int64_t r = 0; r < rows; ++r) total += cost[r * cols + a[r]];
    EXPECT_NEAR(total, brute_force(cost, rows, cols), 1e-9) << "trial " << trial;
  }
  EXPECT_EQ(linear_assignment({4, 1, 3, 2, 0, 5, 3, 2, 2}, 3, 3), (std::vector<int64_t>{1, 0, 2}));
  EXPECT_TRUE(linear_assignment({}, 0, 4).empty());
  EXPECT_ERROR_HAS(linear_assignment({1, 2}, 2, 1), "need rows <= cols, got 2 x 1");
  EXPECT_ERROR_HAS(linear_assignment({1, NAN}, 1, 2), "costs must be finite");
}

TEST(Giou, KnownValues) {
  const auto a = torch::tensor({{0.25, 0.5, 0.5, 1.0}, {0.25, 0.5, 0.5, 1.0}, {0.25, 0.5, 0.5, 1.0}}, torch::kFloat64);
  const auto b =
      torch::tensor({{0.25, 0.5, 0.5, 1.0}, {0.75, 0.5, 0.5, 1.0}, {0.875, 0.5, 0.25, 1.0}}, torch::kFloat64);
  const auto g = generalized_box_iou(a, b);
  EXPECT_NEAR(g[0].item<double>(), 1.0, 1e-12);    // identical
  EXPECT_NEAR(g[1].item<double>(), 0.0, 1e-12);    // touching: IoU 0, no gap
  EXPECT_NEAR(g[2].item<double>(), -0.25, 1e-12);  // a gap of 0.25 of the enclosing box
}

// 1 image, 3 queries, 2 keypoint targets, 2 classes; uniform class logits.
torch::Tensor keypoint_pred() {
  return torch::tensor({{{0.0, 0.0, 0.0, 0.1, 0.1}, {0.0, 0.0, 0.0, 0.5, 0.5}, {0.0, 0.0, 0.0, 0.9, 0.9}}},
                       torch::kFloat64);
}
torch::Tensor keypoint_target() {
  return torch::tensor({{{1.0, 0.88, 0.9}, {0.0, 0.12, 0.1}, {-1.0, 0.0, 0.0}}}, torch::kFloat64);
}

TEST(DetrSetLoss, KeypointMatchingAndValue) {
  auto loss = std::dynamic_pointer_cast<SetLoss>(make("name: detr\nnum_classes: 2"));
  ASSERT_TRUE(loss);
  const double v = loss->forward(keypoint_pred(), keypoint_target()).item<double>();
  // Uniform logits: every query's CE is log 3 whatever its target. L1: 0.02 + 0.02 over 2
  // targets, weight 5; distance: 0.02 + 0.02 over 2, weight 2.
  EXPECT_NEAR(v, std::log(3.0) + 5 * 0.02 + 2 * 0.02, 1e-9);
  const auto& m = loss->last_matching();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0], (std::vector<std::pair<int64_t, int64_t>>{{2, 0}, {0, 1}}));
  // Auxiliary layers: every layer is matched and added.
  const auto two_layers = torch::stack({keypoint_pred()[0], keypoint_pred()[0]}).unsqueeze(0);
  EXPECT_NEAR(loss->forward(two_layers, keypoint_target()).item<double>(), 2 * v, 1e-9);
}

TEST(DetrSetLoss, NoObjectWeightAndEmptyImages) {
  auto loss = make("name: detr\nnum_classes: 2\neos_coef: 0.5");
  // Query 0 predicts class 0 confidently, the rest "no object"; no targets at all.
  auto pred = torch::zeros({1, 2, 5}, torch::kFloat64);
  pred[0][0][0] = 2.0;
  const auto empty = torch::full({1, 1, 3}, -1.0, torch::kFloat64);
  const double nll0 = std::log(std::exp(2.0) + 2.0);  // -log softmax([2, 0, 0])[2]
  const double nll1 = std::log(3.0);
  EXPECT_NEAR(loss->forward(pred, empty).item<double>(), (0.5 * nll0 + 0.5 * nll1) / 1.0, 1e-12);
  EXPECT_ERROR_HAS(loss->forward(torch::zeros({1, 2, 4}), empty), "detr: expected pred [B, Q, 5]");
  EXPECT_ERROR_HAS(loss->forward(torch::zeros({1, 1, 5}, torch::kFloat64), keypoint_target()),
                   "detr: image 0 has 2 targets but only 1 queries");
}

TEST(DetrSetLoss, GradientsMatchFiniteDifferences) {
  torch::manual_seed(6);
  auto kp = make("name: detr\nnum_classes: 2");
  auto x = keypoint_pred() + 0.05 * torch::randn({1, 3, 5}, torch::kFloat64);
  EXPECT_LT(ecg::testing::max_grad_error([&](const torch::Tensor& p) { return kp->forward(p, keypoint_target()); }, x),
            1e-6);
  auto box = make("name: detr\nnum_classes: 1\ncoords: box");
  const auto pb = torch::tensor({{{0.3, -0.2, 0.3, 0.4, 0.2, 0.3}, {0.1, 0.4, 0.7, 0.6, 0.3, 0.2}}}, torch::kFloat64);
  const auto tb = torch::tensor({{{0.0, 0.35, 0.45, 0.25, 0.35}}}, torch::kFloat64);
  EXPECT_LT(ecg::testing::max_grad_error([&](const torch::Tensor& p) { return box->forward(p, tb); }, pb), 1e-6);
}

}  // namespace
}  // namespace ecg::losses
