#include "losses/spectral_losses.h"

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

TEST(Spectral, ExactValuesOnSinusoids) {
  // n = 8, orthonormal rfft: a unit cosine at bin 1 has magnitude sqrt(8) / 2 = sqrt(2)
  // in bin 1; zero elsewhere. 5 one-sided bins.
  const auto k = torch::arange(8, torch::kFloat64);
  const auto c1 = torch::cos(2 * M_PI * k / 8);
  const auto zero = torch::zeros({8}, torch::kFloat64);
  EXPECT_NEAR(make("name: spectral")->forward(c1, zero).item<double>(), std::sqrt(2.0) / 5, 1e-12);
  EXPECT_NEAR(make("name: spectral\nnorm: l2")->forward(c1, zero).item<double>(), 2.0 / 5, 1e-12);
  // A time shift keeps the magnitudes: zero loss.
  EXPECT_NEAR(make("name: spectral")->forward(torch::roll(c1, 3), c1).item<double>(), 0.0, 1e-12);
  // Band: fs 8 Hz, bins at 0..4 Hz; [2, 4] Hz keeps bins 2, 3, 4, and bin 1 is outside.
  EXPECT_NEAR(make("name: spectral\nfs_hz: 8\nlow_hz: 2\nhigh_hz: 4")->forward(c1, zero).item<double>(), 0.0, 1e-12);
  EXPECT_NEAR(make("name: spectral\nfs_hz: 8\nlow_hz: 0.5\nhigh_hz: 1")->forward(c1, zero).item<double>(),
              std::sqrt(2.0), 1e-12);
  // log: |log(sqrt 2 + eps) - log(eps)| in bin 1, 0 elsewhere.
  EXPECT_NEAR(make("name: spectral\nlog: true\neps: 1e-3")->forward(c1, zero).item<double>(),
              (std::log(std::sqrt(2.0) + 1e-3) - std::log(1e-3)) / 5, 1e-9);
  EXPECT_ERROR_HAS(make("name: spectral\nfs_hz: 8\nlow_hz: 5"),
                   "spectral: low_hz 5 is above the Nyquist frequency 4 Hz");
  EXPECT_ERROR_HAS(make("name: spectral\nfs_hz: 8\nlow_hz: 3.2\nhigh_hz: 3.5")->forward(c1, zero),
                   "band [3.2, 3.5] Hz holds no frequency bin of a 8-point transform at 8 Hz");
}

TEST(FocalFrequency, ExactValueAndWeights) {
  // One non-zero DFT difference (bin 1 and bin 7 of a cosine): w = 1 there, d = 2 each
  // (|F| = sqrt(2) orthonormal): mean over 8 bins of w*d = 4 / 8.
  const auto k = torch::arange(8, torch::kFloat64);
  const auto c1 = torch::cos(2 * M_PI * k / 8).view({1, 8});
  const auto zero = torch::zeros({1, 8}, torch::kFloat64);
  EXPECT_NEAR(make("name: focal_frequency")->forward(c1, zero).item<double>(), 0.5, 1e-12);
  // Two components of different size: cos (|F|=sqrt2 at bins 1, 7) + 2 cos at bin 2
  // (|F| = 2 sqrt2 at bins 2, 6). alpha 1: w = |F| / max = 0.5 and 1;
  // sum w d = 2 * 0.5 * 2 + 2 * 1 * 8 = 18 -> 18 / 8.
  const auto two = (torch::cos(2 * M_PI * k / 8) + 2 * torch::cos(4 * M_PI * k / 8)).view({1, 8});
  EXPECT_NEAR(make("name: focal_frequency")->forward(two, zero).item<double>(), 18.0 / 8, 1e-12);
  // alpha 0: plain mean squared spectral error (Parseval: = mean squared error).
  EXPECT_NEAR(make("name: focal_frequency\nalpha: 0")->forward(two, zero).item<double>(),
              (two * two).mean().item<double>(), 1e-12);
  // 2-D: an image equal to the target gives 0; a constant offset c on H x W puts
  // c*sqrt(HW) in the DC bin only: loss = c^2 HW / (HW).
  const auto img = torch::randn({1, 1, 4, 6}, torch::kFloat64);
  EXPECT_NEAR(make("name: focal_frequency\ndims: 2")->forward(img, img).item<double>(), 0.0, 1e-12);
  EXPECT_NEAR(make("name: focal_frequency\ndims: 2")->forward(img + 0.5, img).item<double>(), 0.25, 1e-12);
}

TEST(FocalFrequency, GradientWithFrozenWeightsMatchesFiniteDifferences) {
  torch::manual_seed(2);
  const auto t = torch::randn({2, 12}, torch::kFloat64), x = torch::randn({2, 12}, torch::kFloat64);
  for (int64_t dims : {1, 2}) {
    FocalFrequencyLossOptions o;
    o.dims(dims);
    const auto xi = dims == 2 ? x.view({2, 3, 4}) : x;
    const auto ti = dims == 2 ? t.view({2, 3, 4}) : t;
    // The weights are detached by design, so the check holds them at their value at x.
    const auto fx = dims == 1 ? torch::fft::fft(ti - xi, c10::nullopt, -1, "ortho")
                              : torch::fft::fft2(ti - xi, c10::nullopt, {-2, -1}, "ortho");
    auto w = fx.abs();
    w = w / (dims == 1 ? w.amax({-1}, true) : w.amax({-2, -1}, true));
    EXPECT_LT(
        ecg::testing::max_grad_error([&](const torch::Tensor& p) { return focal_frequency_loss(p, ti, o, w); }, xi),
        1e-6)
        << "dims " << dims;
  }
}

TEST(MrStft, ZeroForEqualSignalsAndPositiveOtherwise) {
  torch::manual_seed(3);
  const auto t = torch::randn({2, 3, 300}, torch::kFloat64);
  auto loss = make("name: mr_stft");
  EXPECT_NEAR(loss->forward(t, t).item<double>(), 0.0, 1e-12);
  EXPECT_GT(loss->forward(t * 1.5, t).item<double>(), 0.1);
  // A pure gain g: spectral convergence |g - 1| and log distance |log g| at every bin
  // (no clamp reached), whatever the resolution.
  const double g = 2.0;
  EXPECT_NEAR(
      make("name: mr_stft\nfft_sizes: [64]\nhop_sizes: [16]\nwin_lengths: [64]")->forward(t * g, t).item<double>(),
      (g - 1) + std::log(g), 1e-9);
  EXPECT_ERROR_HAS(loss->forward(torch::zeros({1, 100}, torch::kFloat64), torch::zeros({1, 100}, torch::kFloat64)),
                   "mr_stft: signals of 100 samples are too short for a 256-point STFT");
  EXPECT_ERROR_HAS(make("name: mr_stft\nfft_sizes: [64, 128]"),
                   "mr_stft: fft_sizes, hop_sizes and win_lengths must have the same non-zero length");
  EXPECT_ERROR_HAS(make("name: mr_stft\nfft_sizes: [32]\nhop_sizes: [8]\nwin_lengths: [64]"),
                   "needs hop > 0 and 0 < window <= fft");
}

TEST(SpectralLosses, GradientsMatchFiniteDifferences) {
  torch::manual_seed(4);
  const auto t = torch::randn({2, 40}, torch::kFloat64), x = torch::randn({2, 40}, torch::kFloat64);
  for (const std::string spec :
       {"name: spectral", "name: spectral\nnorm: l2\nlog: true", "name: spectral\nfs_hz: 40\nlow_hz: 2\nhigh_hz: 12",
        "name: focal_frequency\nalpha: 0",
        "name: mr_stft\nfft_sizes: [16, 32]\nhop_sizes: [4, 8]\nwin_lengths: [10, 20]",
        "name: mr_stft\nfft_sizes: [16]\nhop_sizes: [4]\nwin_lengths: [16]\nfs_hz: 40\nlow_hz: 5"}) {
    auto loss = make(spec);
    EXPECT_LT(ecg::testing::max_grad_error([&](const torch::Tensor& p) { return loss->forward(p, t); }, x), 1e-5)
        << spec;
  }
}

}  // namespace
}  // namespace ecg::losses
