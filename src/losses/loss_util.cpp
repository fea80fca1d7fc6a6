#include "losses/loss_util.h"

#include <torch/torch.h>

#include "core/error.h"

namespace ecg::losses::detail {

int64_t reduction_of(const std::string& name) {
  if (name == "mean") return at::Reduction::Mean;
  if (name == "sum") return at::Reduction::Sum;
  throw Error(str("unknown reduction '", name, "' (expected mean or sum)"));
}

Masked mask_nan(const torch::Tensor& pred, const torch::Tensor& target) {
  const auto valid = ~torch::isnan(target);
  const auto zero = torch::zeros({}, pred.options());
  return Masked{torch::where(valid, pred, zero), torch::where(valid, target, zero.to(target.dtype())), valid};
}

torch::Tensor reduce(const torch::Tensor& elementwise, int64_t reduction, const torch::Tensor& count) {
  const auto total = elementwise.sum();
  if (reduction == at::Reduction::Sum) return total;
  return total / count.to(total.dtype()).clamp_min(1);
}

void check_same_shape(const char* who, const torch::Tensor& pred, const torch::Tensor& target) {
  ECG_CHECK(pred.sizes() == target.sizes(), who, ": pred ", pred.sizes(), " and target ", target.sizes(),
            " must have the same shape");
}

torch::Tensor band_weights(int64_t n_bins, int64_t n_fft, double fs_hz, double low_hz, double high_hz,
                           const torch::Tensor& like) {
  const auto freqs = torch::arange(n_bins, like.options()) * (fs_hz / static_cast<double>(n_fft));
  auto w = torch::ones({n_bins}, like.options());
  if (low_hz >= 0) w = w * (freqs >= low_hz).to(like.dtype());
  if (high_hz >= 0) w = w * (freqs <= high_hz).to(like.dtype());
  ECG_CHECK(w.sum().item<double>() > 0, "band [", low_hz, ", ", high_hz, "] Hz holds no frequency bin of a ", n_fft,
            "-point transform at ", fs_hz, " Hz");
  return w;
}

}  // namespace ecg::losses::detail
