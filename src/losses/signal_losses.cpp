#include "losses/signal_losses.h"

#include <torch/torch.h>

#include "losses/loss_util.h"

namespace ecg::losses {

torch::Tensor PearsonLoss::forward(const torch::Tensor& pred, const torch::Tensor& target) {
  detail::check_same_shape("pearson", pred, target);
  ECG_CHECK(pred.dim() >= 1 && pred.size(-1) >= 2, "pearson: expected [..., T] with T >= 2, got ", pred.sizes());
  torch::Tensor p = pred, t = target, w = torch::ones_like(pred);
  if (options_.mask_nan()) {
    const auto m = detail::mask_nan(pred, target);
    p = m.pred;
    t = m.target;
    w = m.valid.to(pred.dtype());
  }
  const auto n = w.sum(-1, true).clamp_min(1);
  const auto dp = (p - (p * w).sum(-1, true) / n) * w;
  const auto dt = (t - (t * w).sum(-1, true) / n) * w;
  const auto cov = (dp * dt).sum(-1);
  const auto r = cov / torch::sqrt((dp * dp).sum(-1) * (dt * dt).sum(-1) + options_.eps());
  return (1 - r).mean();
}

SnrLoss::SnrLoss(SnrLossOptions options) : options_(std::move(options)) {
  ECG_CHECK(options_.pooling() == "lead" || options_.pooling() == "pooled",
            "snr: pooling must be lead or pooled, got '", options_.pooling(), "'");
  ECG_CHECK(options_.eps() > 0, "snr: eps must be > 0, got ", options_.eps());
}

torch::Tensor SnrLoss::forward(const torch::Tensor& pred, const torch::Tensor& target) {
  detail::check_same_shape("snr", pred, target);
  ECG_CHECK(pred.dim() == 3, "snr: expected [batch, leads, T], got ", pred.sizes());
  torch::Tensor p = pred, t = target;
  if (options_.mask_nan()) {
    const auto m = detail::mask_nan(pred, target);
    p = m.pred;
    t = m.target;
  }
  const auto d = p - t;
  torch::Tensor signal, noise;
  if (options_.pooling() == "lead") {
    signal = (t * t).sum(-1);
    noise = (d * d).sum(-1);
  } else {
    signal = (t * t).sum({1, 2});
    noise = (d * d).sum({1, 2});
  }
  return (-10.0 * torch::log10((signal + options_.eps()) / (noise + options_.eps()))).mean();
}

void register_signal_losses(LossRegistry& registry) {
  config::OptionsBinder<PearsonLossOptions> pearson("loss 'pearson'");
  ECG_BIND(pearson, eps, "added under the square root").min_value = 0;
  ECG_BIND(pearson, mask_nan, "leave out samples whose target is NaN (unplotted)");
  registry.add("pearson", "1 - Pearson correlation over time, per series", pearson,
               [](const PearsonLossOptions& o) { return std::make_shared<PearsonLoss>(o); });

  config::OptionsBinder<SnrLossOptions> snr("loss 'snr'");
  ECG_BIND(snr, pooling, "lead: SNR per lead; pooled: power summed over leads (Kaggle 2025)").choices = {"lead",
                                                                                                         "pooled"};
  ECG_BIND(snr, eps, "mV^2 added to signal and noise power").min_value = 0;
  ECG_BIND(snr, mask_nan, "leave out samples whose target is NaN (unplotted)");
  registry.add("snr", "negative SNR in dB, per lead or pooled over leads", snr,
               [](const SnrLossOptions& o) { return std::make_shared<SnrLoss>(o); });
}

}  // namespace ecg::losses
