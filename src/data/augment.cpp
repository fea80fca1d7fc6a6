#include "data/augment.h"

#include <torch/torch.h>

#include <cmath>

#include "core/error.h"

namespace ecg::data {
namespace {

void check_signal(const char* who, const torch::Tensor& x) {
  ECG_CHECK(x.defined() && (x.dim() == 2 || x.dim() == 3), who, ": expected [leads, T] or [batch, leads, T], got ",
            x.defined() ? x.sizes() : c10::IntArrayRef{});
}

// Per-lead values [.., leads, 1] drawn by `draw`.
template <class Draw>
torch::Tensor per_lead(const torch::Tensor& x, Draw draw) {
  auto sizes = x.sizes().vec();
  sizes.back() = 1;
  auto v = torch::empty(sizes, torch::kFloat64);
  auto p = v.data_ptr<double>();
  for (int64_t i = 0; i < v.numel(); ++i) p[i] = draw();
  return v.to(x.dtype());
}

double beta(double alpha, std::mt19937_64& rng) {
  std::gamma_distribution<double> g(alpha, 1.0);
  const double a = g(rng), b = g(rng);
  return a / (a + b);
}

torch::Tensor time_axis(const torch::Tensor& x, double fs_hz) {
  return (torch::arange(x.size(-1), torch::kFloat64) / fs_hz).to(x.dtype());
}

}  // namespace

torch::Tensor scale_amplitude(const torch::Tensor& x, double lo, double hi, std::mt19937_64& rng) {
  check_signal("scale_amplitude", x);
  ECG_CHECK(lo > 0 && lo <= hi, "scale_amplitude: need 0 < lo <= hi, got ", lo, " and ", hi);
  std::uniform_real_distribution<double> u(lo, hi);
  return x * per_lead(x, [&] { return u(rng); });
}

torch::Tensor time_warp(const torch::Tensor& x, double max_stretch, std::mt19937_64& rng) {
  check_signal("time_warp", x);
  ECG_CHECK(max_stretch >= 0 && max_stretch < 1, "time_warp: max_stretch must be in [0, 1), got ", max_stretch);
  const int64_t n = x.size(-1);
  const double s = std::uniform_real_distribution<double>(-max_stretch, max_stretch)(rng);
  const auto t = torch::arange(n, torch::kFloat64);
  const double len = static_cast<double>(n - 1);
  auto src = (t + s * (len / (2 * M_PI)) * torch::sin(2 * M_PI * t / len)).clamp(0, len);
  const auto lo = src.floor().to(torch::kLong).clamp_max(n - 1);
  const auto hi = (lo + 1).clamp_max(n - 1);
  const auto w = (src - lo.to(torch::kFloat64)).to(x.dtype());
  return x.index_select(-1, lo) * (1 - w) + x.index_select(-1, hi) * w;
}

torch::Tensor add_baseline_wander(const torch::Tensor& x, double fs_hz, double amplitude_mv, std::mt19937_64& rng) {
  check_signal("add_baseline_wander", x);
  std::uniform_real_distribution<double> f(0.05, 0.5), ph(0, 2 * M_PI), amp(0, amplitude_mv / 3);
  const auto t = time_axis(x, fs_hz);
  auto out = x.clone();
  for (int k = 0; k < 3; ++k)
    out = out + per_lead(x, [&] { return amp(rng); }) * torch::sin(2 * M_PI * f(rng) * t + ph(rng));
  return out;
}

torch::Tensor add_powerline(const torch::Tensor& x, double fs_hz, double hz, double amplitude_mv,
                            std::mt19937_64& rng) {
  check_signal("add_powerline", x);
  ECG_CHECK(hz > 0 && hz < fs_hz / 2, "add_powerline: ", hz, " Hz is not below the Nyquist frequency ", fs_hz / 2);
  std::uniform_real_distribution<double> amp(0, amplitude_mv), ph(0, 2 * M_PI);
  const double phase = ph(rng);
  const auto t = time_axis(x, fs_hz);
  auto wave = torch::sin(2 * M_PI * hz * t + phase);
  if (3 * hz < fs_hz / 2) wave = wave + 0.2 * torch::sin(2 * M_PI * 3 * hz * t + 3 * phase);
  return x + per_lead(x, [&] { return amp(rng); }) * wave;
}

torch::Tensor add_emg(const torch::Tensor& x, double std_mv, std::mt19937_64& rng) {
  check_signal("add_emg", x);
  ECG_CHECK(std_mv >= 0, "add_emg: std_mv must be >= 0");
  auto noise = torch::empty(x.sizes(), torch::kFloat64);
  std::normal_distribution<double> g(0, std_mv);
  auto p = noise.data_ptr<double>();
  for (int64_t i = 0; i < noise.numel(); ++i) p[i] = g(rng);
  return x + noise.to(x.dtype());
}

torch::Tensor drop_leads(const torch::Tensor& x, double p, std::mt19937_64& rng) {
  check_signal("drop_leads", x);
  ECG_CHECK(p >= 0 && p <= 1, "drop_leads: p must be in [0, 1], got ", p);
  std::bernoulli_distribution keep(1 - p);
  auto mask = per_lead(x, [&] { return keep(rng) ? 1.0 : 0.0; });
  // Keep at least one lead per example.
  auto flat = mask.view({-1, x.size(-2)});
  for (int64_t i = 0; i < flat.size(0); ++i) {
    if (flat[i].sum().item<double>() == 0) {
      flat[i][std::uniform_int_distribution<int64_t>(0, x.size(-2) - 1)(rng)] = 1;
    }
  }
  return x * mask;
}

std::pair<torch::Tensor, torch::Tensor> mixup(const torch::Tensor& x1, const torch::Tensor& y1, const torch::Tensor& x2,
                                              const torch::Tensor& y2, double alpha, std::mt19937_64& rng) {
  ECG_CHECK(x1.sizes() == x2.sizes() && y1.sizes() == y2.sizes(), "mixup: the two examples differ in shape");
  ECG_CHECK(alpha > 0, "mixup: alpha must be > 0, got ", alpha);
  const double lam = beta(alpha, rng);
  return {lam * x1 + (1 - lam) * x2, lam * y1.to(torch::kFloat) + (1 - lam) * y2.to(torch::kFloat)};
}

std::pair<torch::Tensor, torch::Tensor> cutmix(const torch::Tensor& x1, const torch::Tensor& y1,
                                               const torch::Tensor& x2, const torch::Tensor& y2, double alpha,
                                               std::mt19937_64& rng) {
  ECG_CHECK(x1.sizes() == x2.sizes() && y1.sizes() == y2.sizes(), "cutmix: the two examples differ in shape");
  ECG_CHECK(alpha > 0, "cutmix: alpha must be > 0, got ", alpha);
  const int64_t n = x1.size(-1);
  const double lam = beta(alpha, rng);
  const int64_t cut = static_cast<int64_t>(std::llround((1 - lam) * static_cast<double>(n)));
  const int64_t start = std::uniform_int_distribution<int64_t>(0, n - cut)(rng);
  auto x = x1.clone();
  x.narrow(-1, start, cut).copy_(x2.narrow(-1, start, cut));
  const double kept = 1.0 - static_cast<double>(cut) / static_cast<double>(n);
  return {x, kept * y1.to(torch::kFloat) + (1 - kept) * y2.to(torch::kFloat)};
}

}  // namespace ecg::data
