#pragma once
// Helpers shared by the loss implementations (not part of the public API).

#include <torch/types.h>

#include <string>

namespace ecg::losses::detail {

/// at::Reduction::Mean for "mean", Sum for "sum"; throws ecg::Error otherwise.
int64_t reduction_of(const std::string& name);

/// Where target is NaN both pred and target become 0, so those samples add nothing and
/// get no gradient. Returns {pred, target, valid} with valid a bool mask.
struct Masked {
  torch::Tensor pred, target, valid;
};
Masked mask_nan(const torch::Tensor& pred, const torch::Tensor& target);

/// Reduces an element-wise loss: sum, or mean over `count` elements (at least 1).
torch::Tensor reduce(const torch::Tensor& elementwise, int64_t reduction, const torch::Tensor& count);

/// Checks pred and target have the same shape; `who` names the loss in the message.
void check_same_shape(const char* who, const torch::Tensor& pred, const torch::Tensor& target);

/// Frequency weights for a band [low_hz, high_hz] over `n_bins` one-sided bins of a
/// length-`n_fft` transform at fs_hz: 1 inside the band, 0 outside. A negative bound
/// means "no bound". Shape [n_bins], dtype/device of `like`.
torch::Tensor band_weights(int64_t n_bins, int64_t n_fft, double fs_hz, double low_hz, double high_hz,
                           const torch::Tensor& like);

}  // namespace ecg::losses::detail
