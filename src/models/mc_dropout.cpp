#include "models/mc_dropout.h"

#include <torch/torch.h>

#include "core/error.h"

namespace ecg::models {

UncertainPrediction mc_dropout(torch::nn::Module& model, int64_t n_samples,
                               const std::function<torch::Tensor()>& sample) {
  ECG_CHECK(n_samples >= 2, "mc_dropout: n_samples must be >= 2, got ", n_samples);
  const auto modules = model.modules(/*include_self=*/false);
  const bool was_training = model.is_training();
  std::vector<bool> previous;
  for (const auto& m : modules) previous.push_back(m->is_training());
  model.train(true);
  for (const auto& m : modules) {
    if (m->as<torch::nn::BatchNorm1d>() || m->as<torch::nn::BatchNorm2d>() || m->as<torch::nn::BatchNorm3d>())
      m->eval();
  }
  torch::Tensor first, sum, sum_sq;
  {
    torch::NoGradGuard no_grad;
    for (int64_t i = 0; i < n_samples; ++i) {
      const auto s = sample();
      if (i == 0) {
        first = s.clone();
        sum = torch::zeros_like(s);
        sum_sq = torch::zeros_like(s);
        continue;
      }
      const auto d = s - first;
      sum += d;
      sum_sq += d * d;
    }
  }
  // Restore the modes exactly as they were.
  model.train(was_training);
  for (size_t i = 0; i < modules.size(); ++i) modules[i]->train(previous[i]);
  const double n = static_cast<double>(n_samples);
  UncertainPrediction out;
  out.mean = first + sum / n;
  out.variance = ((sum_sq - sum * sum / n) / (n - 1)).clamp_min(0);
  return out;
}

}  // namespace ecg::models
