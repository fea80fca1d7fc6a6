#include "data/augment.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "test_util.h"

namespace ecg::data {
namespace {

torch::Tensor signal() {
  const auto t = torch::arange(1000, torch::kFloat32) / 500.0;
  return torch::stack({torch::sin(2 * M_PI * 1.0 * t), torch::cos(2 * M_PI * 2.0 * t), torch::sin(2 * M_PI * 3.0 * t)});
}

TEST(Augment, ScaleAmplitudePerLeadWithinBounds) {
  std::mt19937_64 rng(1);
  const auto x = signal();
  const auto y = scale_amplitude(x, 0.8, 1.2, rng);
  for (int l = 0; l < 3; ++l) {
    const double f = (y[l][100] / x[l][100]).item<double>();
    EXPECT_GE(f, 0.8);
    EXPECT_LE(f, 1.2);
    EXPECT_TRUE(torch::allclose(y[l], x[l] * f, 1e-5, 1e-6));
  }
  std::mt19937_64 again(1);
  EXPECT_TRUE(torch::equal(scale_amplitude(x, 0.8, 1.2, again), y));  // seeded: repeatable
}

TEST(Augment, TimeWarpKeepsLengthAndEnds) {
  std::mt19937_64 rng(2);
  const auto x = signal();
  const auto y = time_warp(x, 0.2, rng);
  EXPECT_EQ(y.sizes(), x.sizes());
  EXPECT_TRUE(torch::allclose(y.select(1, 0), x.select(1, 0)));
  EXPECT_TRUE(torch::allclose(y.select(1, 999), x.select(1, 999)));
  EXPECT_FALSE(torch::allclose(y, x, 1e-3, 1e-3));
  EXPECT_TRUE(torch::allclose(time_warp(x, 0.0, rng), x));
  EXPECT_ERROR_HAS(time_warp(x, 1.5, rng), "time_warp: max_stretch must be in [0, 1)");
}

TEST(Augment, NoiseKinds) {
  std::mt19937_64 rng(3);
  const auto zero = torch::zeros({2, 5000});
  const auto emg = add_emg(zero, 0.05, rng);
  EXPECT_NEAR(emg.std().item<double>(), 0.05, 0.003);
  const auto bw = add_baseline_wander(zero, 500, 0.3, rng);
  EXPECT_LE(bw.abs().max().item<double>(), 0.3 + 1e-6);
  // Powerline: the spectrum peaks at 50 Hz (bin 50 * 5000 / 500 = 500).
  const auto pl = add_powerline(zero, 500, 50, 0.1, rng);
  const auto mag = torch::fft::rfft(pl[0]).abs();
  EXPECT_EQ(mag.argmax().item<int64_t>(), 500);
  EXPECT_ERROR_HAS(add_powerline(zero, 80, 50, 0.1, rng), "add_powerline: 50 Hz is not below the Nyquist frequency 40");
}

TEST(Augment, DropLeadsKeepsOne) {
  std::mt19937_64 rng(4);
  const auto x = torch::ones({8, 12, 10});
  const auto all_dropped = drop_leads(x, 1.0, rng);
  for (int64_t b = 0; b < 8; ++b) EXPECT_EQ(all_dropped[b].sum().item<float>(), 10.0f);  // exactly one lead left
  const auto some = drop_leads(x, 0.5, rng);
  const double kept = some.sum().item<double>() / x.sum().item<double>();
  EXPECT_GT(kept, 0.3);
  EXPECT_LT(kept, 0.7);
}

TEST(Augment, MixupAndCutmixMixTargetsConsistently) {
  std::mt19937_64 rng(5);
  const auto x1 = torch::zeros({2, 100}), x2 = torch::ones({2, 100});
  const auto y1 = torch::tensor({1.0f, 0.0f}), y2 = torch::tensor({0.0f, 1.0f});
  const auto [xm, ym] = mixup(x1, y1, x2, y2, 0.4, rng);
  const double lam = 1.0 - xm[0][0].item<double>();
  EXPECT_TRUE(torch::allclose(xm, torch::full({2, 100}, static_cast<float>(1 - lam))));
  EXPECT_NEAR(ym[0].item<double>(), lam, 1e-6);
  const auto [xc, yc] = cutmix(x1, y1, x2, y2, 1.0, rng);
  const double share_from_x2 = xc.mean().item<double>();
  EXPECT_NEAR(yc[1].item<double>(), share_from_x2, 1e-6);
  // The replaced part is one contiguous segment.
  const auto row = xc[0];
  int changes = 0;
  for (int64_t i = 1; i < 100; ++i) changes += row[i].item<float>() != row[i - 1].item<float>();
  EXPECT_LE(changes, 2);
  EXPECT_ERROR_HAS(mixup(x1, y1, torch::zeros({3, 100}), y2, 0.4, rng), "mixup: the two examples differ in shape");
}

}  // namespace
}  // namespace ecg::data
