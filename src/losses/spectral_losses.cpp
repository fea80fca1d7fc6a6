#include "losses/spectral_losses.h"

#include <torch/torch.h>

#include "losses/loss_util.h"

namespace ecg::losses {
namespace {

std::pair<torch::Tensor, torch::Tensor> prepare(const char* who, const torch::Tensor& pred, const torch::Tensor& target,
                                                bool mask) {
  detail::check_same_shape(who, pred, target);
  ECG_CHECK(pred.dim() >= 1, who, ": expected [..., T], got a scalar");
  if (!mask) return {pred, target};
  const auto m = detail::mask_nan(pred, target);
  return {m.pred, m.target};
}

// Mean of `e` [..., bins] weighted by band weights w [bins].
torch::Tensor band_mean(const torch::Tensor& e, const torch::Tensor& w) {
  const double per_series = static_cast<double>(e.numel() / e.size(-1));
  return (e * w).sum() / (w.sum() * per_series);
}

void check_band(const char* who, double fs_hz, double low_hz, double high_hz) {
  ECG_CHECK(fs_hz > 0, who, ": fs_hz must be > 0, got ", fs_hz);
  ECG_CHECK(low_hz <= fs_hz / 2, who, ": low_hz ", low_hz, " is above the Nyquist frequency ", fs_hz / 2, " Hz");
  ECG_CHECK(low_hz < 0 || high_hz < 0 || low_hz <= high_hz, who, ": low_hz ", low_hz, " > high_hz ", high_hz);
}

}  // namespace

SpectralLoss::SpectralLoss(SpectralLossOptions options) : options_(std::move(options)) {
  ECG_CHECK(options_.norm() == "l1" || options_.norm() == "l2", "spectral: norm must be l1 or l2, got '",
            options_.norm(), "'");
  check_band("spectral", options_.fs_hz(), options_.low_hz(), options_.high_hz());
}

torch::Tensor SpectralLoss::forward(const torch::Tensor& pred, const torch::Tensor& target) {
  auto [p, t] = prepare("spectral", pred, target, options_.mask_nan());
  const int64_t n = p.size(-1);
  auto ap = torch::fft::rfft(p, c10::nullopt, -1, "ortho").abs();
  auto at = torch::fft::rfft(t, c10::nullopt, -1, "ortho").abs();
  if (options_.log()) {
    ap = torch::log(ap + options_.eps());
    at = torch::log(at + options_.eps());
  }
  const auto d = ap - at;
  const auto e = options_.norm() == "l1" ? d.abs() : d * d;
  const auto w = detail::band_weights(e.size(-1), n, options_.fs_hz(), options_.low_hz(), options_.high_hz(), e);
  return band_mean(e, w);
}

torch::Tensor focal_frequency_loss(const torch::Tensor& pred, const torch::Tensor& target,
                                   const FocalFrequencyLossOptions& o, const torch::Tensor& weights) {
  auto [p, t] = prepare("focal_frequency", pred, target, o.mask_nan());
  torch::Tensor fp, ft;
  if (o.dims() == 1) {
    fp = torch::fft::fft(p, c10::nullopt, -1, "ortho");
    ft = torch::fft::fft(t, c10::nullopt, -1, "ortho");
  } else {
    ECG_CHECK(p.dim() >= 2, "focal_frequency: dims 2 needs [..., H, W], got ", p.sizes());
    fp = torch::fft::fft2(p, c10::nullopt, {-2, -1}, "ortho");
    ft = torch::fft::fft2(t, c10::nullopt, {-2, -1}, "ortho");
  }
  const auto diff = ft - fp;
  const auto d = torch::real(diff * torch::conj(diff));  // |F_t - F_p|^2
  torch::Tensor w = weights;
  if (!w.defined()) {
    torch::NoGradGuard no_grad;
    w = torch::pow(d.detach().sqrt(), o.alpha());
    const auto peak = o.dims() == 1 ? w.amax({-1}, true) : w.amax({-2, -1}, true);
    w = torch::where(peak > 0, w / peak.clamp_min(1e-30), torch::zeros_like(w)).clamp(0, 1);
  }
  if (o.dims() == 1 && (o.low_hz() >= 0 || o.high_hz() >= 0)) {
    // Two-sided spectrum: bin k and n - k share the frequency min(k, n - k) * fs / n.
    const int64_t n = p.size(-1);
    auto k = torch::arange(n, d.options());
    const auto freq = torch::minimum(k, n - k) * (o.fs_hz() / static_cast<double>(n));
    auto band = torch::ones_like(freq);
    if (o.low_hz() >= 0) band = band * (freq >= o.low_hz()).to(d.dtype());
    if (o.high_hz() >= 0) band = band * (freq <= o.high_hz()).to(d.dtype());
    ECG_CHECK(band.sum().item<double>() > 0, "focal_frequency: the band holds no frequency bin");
    return band_mean(w * d, band);
  }
  return (w * d).mean();
}

FocalFrequencyLoss::FocalFrequencyLoss(FocalFrequencyLossOptions options) : options_(std::move(options)) {
  ECG_CHECK(options_.dims() == 1 || options_.dims() == 2, "focal_frequency: dims must be 1 or 2, got ",
            options_.dims());
  ECG_CHECK(options_.alpha() >= 0, "focal_frequency: alpha must be >= 0, got ", options_.alpha());
  check_band("focal_frequency", options_.fs_hz(), options_.low_hz(), options_.high_hz());
}

torch::Tensor FocalFrequencyLoss::forward(const torch::Tensor& pred, const torch::Tensor& target) {
  return focal_frequency_loss(pred, target, options_);
}

MrStftLoss::MrStftLoss(MrStftLossOptions options) : options_(std::move(options)) {
  const auto& f = options_.fft_sizes();
  ECG_CHECK(!f.empty() && f.size() == options_.hop_sizes().size() && f.size() == options_.win_lengths().size(),
            "mr_stft: fft_sizes, hop_sizes and win_lengths must have the same non-zero length, got ", f.size(), ", ",
            options_.hop_sizes().size(), " and ", options_.win_lengths().size());
  for (size_t i = 0; i < f.size(); ++i) {
    ECG_CHECK(options_.hop_sizes()[i] > 0 && options_.win_lengths()[i] > 0 && options_.win_lengths()[i] <= f[i],
              "mr_stft: resolution ", i, " needs hop > 0 and 0 < window <= fft, got fft ", f[i], ", hop ",
              options_.hop_sizes()[i], ", window ", options_.win_lengths()[i]);
  }
  check_band("mr_stft", options_.fs_hz(), options_.low_hz(), options_.high_hz());
}

torch::Tensor MrStftLoss::forward(const torch::Tensor& pred, const torch::Tensor& target) {
  auto [p, t] = prepare("mr_stft", pred, target, options_.mask_nan());
  const int64_t n = p.size(-1);
  p = p.reshape({-1, n});
  t = t.reshape({-1, n});
  torch::Tensor total;
  const auto& ffts = options_.fft_sizes();
  for (size_t i = 0; i < ffts.size(); ++i) {
    const int64_t n_fft = ffts[i];
    ECG_CHECK(n > n_fft / 2, "mr_stft: signals of ", n, " samples are too short for a ", n_fft,
              "-point STFT (need more than ", n_fft / 2, ")");
    const auto window = torch::hann_window(options_.win_lengths()[i], p.options());
    auto mag = [&](const torch::Tensor& x) {
      return torch::stft(x, n_fft, options_.hop_sizes()[i], options_.win_lengths()[i], window, /*center=*/true,
                         "reflect", /*normalized=*/false, /*onesided=*/true, /*return_complex=*/true)
          .abs()
          .clamp_min(1e-9);  // shape [series, bins, frames]
    };
    const auto sp = mag(p), st = mag(t);
    const auto w = detail::band_weights(sp.size(1), n_fft, options_.fs_hz(), options_.low_hz(), options_.high_hz(), sp)
                       .view({1, -1, 1});
    const auto sc = torch::sqrt((((st - sp) * w).pow(2)).sum()) / torch::sqrt(((st * w).pow(2)).sum()).clamp_min(1e-12);
    const auto lm = ((torch::log(st) - torch::log(sp)).abs() * w).sum() / (w.sum() * sp.size(0) * sp.size(2));
    const auto term = sc + lm;
    total = total.defined() ? total + term : term;
  }
  return total / static_cast<double>(ffts.size());
}

void register_spectral_losses(LossRegistry& registry) {
  auto band = [](auto& b) {
    ECG_BIND(b, fs_hz, "sample rate of the signals").min_value = 0;
    ECG_BIND(b, low_hz, "lower band edge in Hz; < 0 = none");
    ECG_BIND(b, high_hz, "upper band edge in Hz; < 0 = none");
    ECG_BIND(b, mask_nan, "NaN targets (unplotted) set to 0 in pred and target");
  };
  config::OptionsBinder<SpectralLossOptions> spectral("loss 'spectral'");
  ECG_BIND(spectral, norm, "l1 | l2 distance of magnitudes").choices = {"l1", "l2"};
  ECG_BIND(spectral, log, "compare log magnitudes");
  ECG_BIND(spectral, eps, "added before the log").min_value = 0;
  band(spectral);
  registry.add("spectral", "distance of rfft magnitudes (optionally log, band-limited)", spectral,
               [](const SpectralLossOptions& o) { return std::make_shared<SpectralLoss>(o); });

  config::OptionsBinder<FocalFrequencyLossOptions> ffl("loss 'focal_frequency'");
  ECG_BIND(ffl, alpha, "focusing exponent of the spectrum weights").min_value = 0;
  auto& dims = ECG_BIND(ffl, dims, "1: DFT over time; 2: 2-D DFT over the last two dims");
  dims.min_value = 1;
  dims.max_value = 2;
  band(ffl);
  registry.add("focal_frequency", "focal frequency loss (Jiang et al. 2021), 1-D or 2-D", ffl,
               [](const FocalFrequencyLossOptions& o) { return std::make_shared<FocalFrequencyLoss>(o); });

  config::OptionsBinder<MrStftLossOptions> mr("loss 'mr_stft'");
  ECG_BIND(mr, fft_sizes, "FFT size per resolution").min_value = 2;
  ECG_BIND(mr, hop_sizes, "hop per resolution").min_value = 1;
  ECG_BIND(mr, win_lengths, "Hann window length per resolution").min_value = 1;
  band(mr);
  registry.add("mr_stft", "multi-resolution STFT: spectral convergence + log magnitude", mr,
               [](const MrStftLossOptions& o) { return std::make_shared<MrStftLoss>(o); });
}

}  // namespace ecg::losses
