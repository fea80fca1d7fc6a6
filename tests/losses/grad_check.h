#pragma once
// Finite-difference gradient check for losses: compares autograd's gradient of f at x
// with central differences, in float64.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>

namespace ecg::testing {

/// Largest |autograd - finite difference| over the elements of x, scaled by
/// max(1, |gradient|). x must be float64.
inline double max_grad_error(const std::function<torch::Tensor(const torch::Tensor&)>& f, const torch::Tensor& x,
                             double h = 1e-6) {
  auto xg = x.detach().clone().requires_grad_(true);
  f(xg).backward();
  const auto analytic = xg.grad().detach().clone().view({-1});
  auto p = x.detach().clone();
  auto flat = p.view({-1});
  double worst = 0;
  torch::NoGradGuard no_grad;
  for (int64_t i = 0; i < flat.numel(); ++i) {
    const double v = flat[i].item<double>();
    flat[i] = v + h;
    const double up = f(p).item<double>();
    flat[i] = v - h;
    const double down = f(p).item<double>();
    flat[i] = v;
    const double numeric = (up - down) / (2 * h);
    const double a = analytic[i].item<double>();
    worst = std::max(worst, std::abs(a - numeric) / std::max(1.0, std::abs(a)));
  }
  return worst;
}

}  // namespace ecg::testing
