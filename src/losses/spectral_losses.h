#pragma once
// Frequency-domain losses over the last dimension (time), for ECG at fs_hz.
//
// spectral:         mean over bins of |A_p - A_t| (l1) or (A_p - A_t)^2 (l2), with
//                   A = |rfft(x)| (orthonormal), or log(A + eps) with `log`.
// focal_frequency:  Jiang et al. 2021. F = orthonormal DFT (1-D over time, or 2-D over the
//                   last two dims for images); d = |F_t - F_p|^2;
//                   w = |F_t - F_p|^alpha, divided by its maximum per series (so in [0, 1])
//                   and detached; loss = mean(w * d). alpha = 1.
// mr_stft:          multi-resolution STFT (Yamamoto et al. 2020). Per resolution, with
//                   S = |STFT(x)| clamped at 1e-9 (Hann window, centred, reflect padding):
//                   ||S_t - S_p||_F / ||S_t||_F + mean |log S_t - log S_p|; averaged over
//                   resolutions. The audio defaults (FFT 1024/2048/512, hop 120/240/50,
//                   window 600/1200/240 at 24 kHz) keep hop ~ FFT/8 and window ~ 0.6 FFT;
//                   scaled to ECG they become FFT 64/128/256, hop 8/16/32, window 40/80/160,
//                   which resolve 8-2 Hz at 500 Hz and suit 100-1000 Hz records.
//
// Band limits: with low_hz and/or high_hz (>= 0), only bins inside [low_hz, high_hz] at
// fs_hz count (e.g. 0.5-40 Hz, the diagnostic ECG band). With mask_nan, NaN targets
// (unplotted samples) are set to 0 in both pred and target before the transform.
// Shapes: pred, target [..., T] (focal_frequency with dims 2: [..., H, W]).

#include <torch/arg.h>

#include <string>
#include <vector>

#include "losses/loss.h"

namespace ecg::losses {

struct SpectralLossOptions {
  TORCH_ARG(std::string, norm) = "l1";  // l1 | l2
  TORCH_ARG(bool, log) = false;         // compare log(|X| + eps)
  TORCH_ARG(double, eps) = 1e-7;
  TORCH_ARG(double, fs_hz) = 500.0;
  TORCH_ARG(double, low_hz) = -1.0;   // < 0: no lower bound
  TORCH_ARG(double, high_hz) = -1.0;  // < 0: no upper bound
  TORCH_ARG(bool, mask_nan) = false;
};

class SpectralLoss : public Loss {
 public:
  explicit SpectralLoss(SpectralLossOptions options);
  torch::Tensor forward(const torch::Tensor& pred, const torch::Tensor& target) override;

 private:
  SpectralLossOptions options_;
};

struct FocalFrequencyLossOptions {
  TORCH_ARG(double, alpha) = 1.0;
  TORCH_ARG(int64_t, dims) = 1;  // 1: over time; 2: over the last two dims (images)
  TORCH_ARG(double, fs_hz) = 500.0;
  TORCH_ARG(double, low_hz) = -1.0;   // 1-D only
  TORCH_ARG(double, high_hz) = -1.0;  // 1-D only
  TORCH_ARG(bool, mask_nan) = false;
};

/// The focal frequency loss; `weights`, when defined, replaces the focal weights (used by
/// the gradient check, where the detached weights must stay fixed).
torch::Tensor focal_frequency_loss(const torch::Tensor& pred, const torch::Tensor& target,
                                   const FocalFrequencyLossOptions& options, const torch::Tensor& weights = {});

class FocalFrequencyLoss : public Loss {
 public:
  explicit FocalFrequencyLoss(FocalFrequencyLossOptions options);
  torch::Tensor forward(const torch::Tensor& pred, const torch::Tensor& target) override;

 private:
  FocalFrequencyLossOptions options_;
};

struct MrStftLossOptions {
  TORCH_ARG(std::vector<int64_t>, fft_sizes) = std::vector<int64_t>{64, 128, 256};
  TORCH_ARG(std::vector<int64_t>, hop_sizes) = std::vector<int64_t>{8, 16, 32};
  TORCH_ARG(std::vector<int64_t>, win_lengths) = std::vector<int64_t>{40, 80, 160};
  TORCH_ARG(double, fs_hz) = 500.0;
  TORCH_ARG(double, low_hz) = -1.0;
  TORCH_ARG(double, high_hz) = -1.0;
  TORCH_ARG(bool, mask_nan) = false;
};

class MrStftLoss : public Loss {
 public:
  explicit MrStftLoss(MrStftLossOptions options);
  torch::Tensor forward(const torch::Tensor& pred, const torch::Tensor& target) override;

 private:
  MrStftLossOptions options_;
};

void register_spectral_losses(LossRegistry& registry);

}  // namespace ecg::losses
