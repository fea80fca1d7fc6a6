#pragma once
// Signal augmentations. x is [leads, T] or [batch, leads, T] in mV; every function
// returns a new tensor and draws its randomness from `rng`, so a seeded generator gives
// the same result every time.
//
//   std::mt19937_64 rng(seed);
//   x = add_emg(drop_leads(scale_amplitude(x, 0.8, 1.2, rng), 0.1, rng), 0.02, rng);

#include <torch/types.h>

#include <random>
#include <utility>

namespace ecg::data {

/// Each lead multiplied by a factor drawn uniformly in [lo, hi].
torch::Tensor scale_amplitude(const torch::Tensor& x, double lo, double hi, std::mt19937_64& rng);

/// Smooth time warp keeping length and end points: sample t is read from
/// t + s (T / 2 pi) sin(2 pi t / T) with s uniform in [-max_stretch, max_stretch]
/// (local speed between 1 - s and 1 + s), by linear interpolation. max_stretch < 1.
torch::Tensor time_warp(const torch::Tensor& x, double max_stretch, std::mt19937_64& rng);

/// Baseline wander: sum of 3 sinusoids of 0.05-0.5 Hz, per-lead amplitudes up to amplitude_mv.
torch::Tensor add_baseline_wander(const torch::Tensor& x, double fs_hz, double amplitude_mv, std::mt19937_64& rng);
/// Powerline: a sinusoid at hz (and its third harmonic at 20 %), amplitude up to amplitude_mv per lead.
torch::Tensor add_powerline(const torch::Tensor& x, double fs_hz, double hz, double amplitude_mv, std::mt19937_64& rng);
/// EMG: white Gaussian noise of standard deviation std_mv.
torch::Tensor add_emg(const torch::Tensor& x, double std_mv, std::mt19937_64& rng);

/// Each lead zeroed with probability p (at least one lead is kept).
torch::Tensor drop_leads(const torch::Tensor& x, double p, std::mt19937_64& rng);

/// Mixup (Zhang et al. 2018): lam ~ Beta(alpha, alpha); returns (lam x1 + (1 - lam) x2,
/// lam y1 + (1 - lam) y2).
std::pair<torch::Tensor, torch::Tensor> mixup(const torch::Tensor& x1, const torch::Tensor& y1, const torch::Tensor& x2,
                                              const torch::Tensor& y2, double alpha, std::mt19937_64& rng);

/// 1-D CutMix: a random time segment of length (1 - lam) T (lam ~ Beta(alpha, alpha)) of
/// x1 is replaced by x2's; targets mix by the share of samples actually kept.
std::pair<torch::Tensor, torch::Tensor> cutmix(const torch::Tensor& x1, const torch::Tensor& y1,
                                               const torch::Tensor& x2, const torch::Tensor& y2, double alpha,
                                               std::mt19937_64& rng);

}  // namespace ecg::data
