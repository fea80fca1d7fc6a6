#include "losses/strip_trace_losses.h"

#include <torch/torch.h>

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "core/options_binder.h"

namespace ecg::losses {
namespace {

void check(const char* who, const torch::Tensor& pred, const torch::Tensor& target) {
  ECG_CHECK(pred.dim() == 3 && pred.size(1) >= 2, who, ": expected pred [batch, H + 1, W], got ", pred.sizes());
  ECG_CHECK(
      target.dim() == 3 && target.size(0) == pred.size(0) && target.size(1) == 3 && target.size(2) == pred.size(2), who,
      ": expected target [", pred.size(0), ", 3, ", pred.size(2), "] (row, mV, rows per mV), got ", target.sizes());
}

torch::Tensor logits_of(const torch::Tensor& pred) {
  return pred.narrow(1, 0, pred.size(1) - 1);
}

// The softmax-weighted mean of rows m - k .. m + k (clamped to the strip) of logits
// [B, H, W], m [B, 1, W] int64 the centre row of each column: [B, W].
torch::Tensor refine_top_k(const torch::Tensor& logits, const torch::Tensor& m, int64_t top_k) {
  const auto offsets = torch::arange(-top_k, top_k + 1, m.options()).view({1, -1, 1});
  const auto rows = (m + offsets).clamp(0, logits.size(1) - 1);  // [B, 2k + 1, W]
  const auto w = torch::softmax(logits.gather(1, rows), 1);
  return (w * rows.to(logits.scalar_type())).sum(1);
}

}  // namespace

torch::Tensor strip_rows(const torch::Tensor& pred, int64_t top_k) {
  ECG_CHECK(pred.dim() == 3 && pred.size(1) >= 2, "strip_rows: expected pred [batch, H + 1, W], got ", pred.sizes());
  ECG_CHECK(top_k >= 0, "strip_rows: top_k must be >= 0, got ", top_k);
  const auto logits = logits_of(pred);
  return refine_top_k(logits, logits.argmax(1, /*keepdim=*/true), top_k);
}

torch::Tensor strip_path_rows(const torch::Tensor& pred, int64_t top_k, double jump) {
  ECG_CHECK(pred.dim() == 3 && pred.size(1) >= 2, "strip_path_rows: expected pred [batch, H + 1, W], got ",
            pred.sizes());
  ECG_CHECK(top_k >= 0 && jump >= 0, "strip_path_rows: top_k and jump_nats_per_row must be >= 0, got ", top_k, " and ",
            jump);
  torch::NoGradGuard no_grad;
  const auto logits = logits_of(pred).to(torch::kFloat).contiguous();
  const auto cost = (-torch::log_softmax(logits, 1)).cpu().contiguous();  // [B, H, W]
  const int64_t b_n = cost.size(0), h_n = cost.size(1), w_n = cost.size(2);
  auto path = torch::empty({b_n, 1, w_n}, torch::kLong);
  std::vector<float> acc(static_cast<size_t>(h_n)), next(static_cast<size_t>(h_n));
  std::vector<int64_t> from(static_cast<size_t>(h_n));
  std::vector<int32_t> back(static_cast<size_t>(h_n * w_n));
  const float lambda = static_cast<float>(jump);
  for (int64_t b = 0; b < b_n; ++b) {
    const float* c = cost[b].data_ptr<float>();  // [H, W]
    for (int64_t h = 0; h < h_n; ++h) acc[static_cast<size_t>(h)] = c[h * w_n];
    for (int64_t x = 1; x < w_n; ++x) {
      // L1 distance transform of acc: min over h' of acc[h'] + lambda |h - h'|, with argmin.
      for (int64_t h = 0; h < h_n; ++h) {
        next[static_cast<size_t>(h)] = acc[static_cast<size_t>(h)];
        from[static_cast<size_t>(h)] = h;
      }
      for (int64_t h = 1; h < h_n; ++h)
        if (next[static_cast<size_t>(h - 1)] + lambda < next[static_cast<size_t>(h)]) {
          next[static_cast<size_t>(h)] = next[static_cast<size_t>(h - 1)] + lambda;
          from[static_cast<size_t>(h)] = from[static_cast<size_t>(h - 1)];
        }
      for (int64_t h = h_n - 2; h >= 0; --h)
        if (next[static_cast<size_t>(h + 1)] + lambda < next[static_cast<size_t>(h)]) {
          next[static_cast<size_t>(h)] = next[static_cast<size_t>(h + 1)] + lambda;
          from[static_cast<size_t>(h)] = from[static_cast<size_t>(h + 1)];
        }
      for (int64_t h = 0; h < h_n; ++h) {
        acc[static_cast<size_t>(h)] = next[static_cast<size_t>(h)] + c[h * w_n + x];
        back[static_cast<size_t>(x * h_n + h)] = static_cast<int32_t>(from[static_cast<size_t>(h)]);
      }
    }
    int64_t h = std::min_element(acc.begin(), acc.end()) - acc.begin();
    auto* out = path[b][0].data_ptr<int64_t>();
    for (int64_t x = w_n - 1; x >= 0; --x) {
      out[x] = h;
      if (x > 0) h = back[static_cast<size_t>(x * h_n + h)];
    }
  }
  return refine_top_k(logits, path.to(logits.device()), top_k);
}

torch::Tensor strip_confidence(const torch::Tensor& pred) {
  ECG_CHECK(pred.dim() == 3 && pred.size(1) >= 2, "strip_confidence: expected pred [batch, H + 1, W], got ",
            pred.sizes());
  return torch::sigmoid(pred.select(1, pred.size(1) - 1));
}

torch::Tensor StripGaussianCe::forward(const torch::Tensor& pred, const torch::Tensor& target) {
  check("strip_gaussian_ce", pred, target);
  ECG_CHECK(options_.sigma_rows() > 0, "strip_gaussian_ce: sigma_rows must be > 0, got ", options_.sigma_rows());
  const auto logits = logits_of(pred);
  const auto y = target.select(1, 0).to(logits.scalar_type());  // [B, W]
  const auto valid = torch::isfinite(y);
  const auto yc = torch::where(valid, y, torch::zeros_like(y));
  const auto rows = torch::arange(logits.size(1), logits.options()).view({1, -1, 1});
  const auto q =
      torch::softmax(-(rows - yc.unsqueeze(1)).pow(2) / (2 * options_.sigma_rows() * options_.sigma_rows()), 1);
  const auto ce = -(q * torch::log_softmax(logits, 1)).sum(1);  // [B, W]
  const auto n = valid.sum();
  return torch::where(valid, ce, torch::zeros_like(ce)).sum() / n.clamp_min(1).to(ce.scalar_type());
}

torch::Tensor StripSnr::forward(const torch::Tensor& pred, const torch::Tensor& target) {
  check("strip_snr", pred, target);
  ECG_CHECK(options_.eps() > 0, "strip_snr: eps must be > 0, got ", options_.eps());
  const auto y_hat = strip_rows(pred, options_.top_k());
  const auto t = target.to(y_hat.scalar_type());
  const auto y = t.select(1, 0), mv = t.select(1, 1), rows_per_mv = t.select(1, 2);
  const auto valid = torch::isfinite(y) & torch::isfinite(mv) & (rows_per_mv > 0);
  const auto zero = torch::zeros_like(y);
  const auto err = torch::where(valid, (y - y_hat) / torch::where(valid, rows_per_mv, zero + 1), zero);
  const auto sig = torch::where(valid, mv, zero);
  const auto signal = (sig * sig).sum(1), noise = (err * err).sum(1);
  return (-10.0 * torch::log10((signal + options_.eps()) / (noise + options_.eps()))).mean();
}

torch::Tensor StripConfidence::forward(const torch::Tensor& pred, const torch::Tensor& target) {
  check("strip_confidence", pred, target);
  const auto logit = pred.select(1, pred.size(1) - 1);
  const auto y = target.select(1, 0);
  auto positive = torch::isfinite(y);
  if (options_.within_rows() > 0) {
    torch::NoGradGuard no_grad;
    const auto argmax = logits_of(pred).argmax(1).to(y.scalar_type());  // [B, W]
    positive = positive & ((argmax - y).abs() <= options_.within_rows());
  }
  return torch::binary_cross_entropy_with_logits(logit, positive.to(logit.scalar_type()), {},
                                                 torch::full({1}, options_.pos_weight(), logit.options()));
}

void register_strip_trace_losses(LossRegistry& registry) {
  config::OptionsBinder<StripGaussianCeOptions> ce("loss 'strip_gaussian_ce'");
  ECG_BIND(ce, sigma_rows, "width of the target Gaussian over strip rows").min_value = 0.05;
  registry.add("strip_gaussian_ce", "trace reader: cross-entropy over strip rows against a Gaussian at the trace", ce,
               [](const StripGaussianCeOptions& o) { return std::make_shared<StripGaussianCe>(o); });
  config::OptionsBinder<StripSnrOptions> snr("loss 'strip_snr'");
  ECG_BIND(snr, top_k, "rows either side of the argmax in the soft-argmax").min_value = 0;
  ECG_BIND(snr, eps, "mV^2 added to signal and noise power").min_value = 1e-12;
  registry.add("strip_snr", "trace reader: negative SNR (dB) of the mV read by top-k soft-argmax", snr,
               [](const StripSnrOptions& o) { return std::make_shared<StripSnr>(o); });
  config::OptionsBinder<StripConfidenceOptions> conf("loss 'strip_confidence'");
  ECG_BIND(conf, pos_weight, "weight of the columns with a positive target").min_value = 0;
  ECG_BIND(conf, within_rows, "> 0: positive only where the argmax row is this close to the trace").min_value = 0;
  registry.add("strip_confidence", "trace reader: BCE of the confidence row against 'this column has a trace'", conf,
               [](const StripConfidenceOptions& o) { return std::make_shared<StripConfidence>(o); });
}

}  // namespace ecg::losses
