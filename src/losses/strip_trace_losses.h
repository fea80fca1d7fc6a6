#pragma once
// Losses of a learned trace reader over row strips (the trace_reader model, the
// trace_strips dataset), and the decoding they share with serving.
//
// pred   [batch, H + 1, W]: rows 0 .. H-1 the trace logits of each strip column over the
//        strip's H rows, row H the column's confidence logit (this row's trace is here).
// target [batch, 3, W]: 0 the strip row of the row's own trace (NaN where none),
//        1 its mV, 2 strip rows per mV (the same in every column of an example).
//
// strip_rows(pred, k): top-k soft-argmax: around the argmax row m of each column, the
//   softmax of the logits of rows m - k .. m + k (clamped to the strip) weighs the rows:
//   sub-pixel y in strip rows, pixel centres at integers. k = 0: the argmax.
// strip_gaussian_ce: cross-entropy of each column's softmax against a Gaussian over rows
//   centred on the target row, q(h) ~ exp(-(h - y)^2 / (2 sigma^2)) normalised over the
//   strip; averaged over the columns with a target.
// strip_snr: negative SNR in dB of the mV read, mV_hat = mV + (y - y_hat) / rows_per_mv
//   with y_hat = strip_rows(pred, top_k): -10 log10((sum mV^2 + eps) / (sum (mV_hat -
//   mV)^2 + eps)) per example over its columns with a target, averaged over the batch
//   (the Kaggle metric's power ratio; a strip is one lead).
// strip_confidence: binary cross-entropy of the confidence logit against "the column has
//   a target", over every column; pos_weight weighs the columns with one. With
//   within_rows > 0 the target is "the column has a target and its argmax row is within
//   within_rows of it" (the argmax taken without gradient): the confidence then says
//   where the read is right, so serving can bridge the columns where it is not.

#include <torch/arg.h>

#include "losses/loss.h"

namespace ecg::losses {

/// [batch, W] sub-pixel strip rows of pred [batch, H + 1, W] (see above).
torch::Tensor strip_rows(const torch::Tensor& pred, int64_t top_k);
/// [batch, W] sub-pixel strip rows along the most probable continuous path: the rows
/// r(c) that minimise sum_c -log p_c(r(c)) + jump_nats_per_row * |r(c) - r(c - 1)| (p_c
/// the softmax of column c's logits; exact, by dynamic programming with an L1 distance
/// transform, O(H W)), each then refined by the top-k soft-argmax around r(c). A trace is
/// continuous, so a column that prefers a neighbour's trace for a few columns does not
/// leave its own; jump_nats_per_row 0 gives strip_rows. Inference only (no gradient).
torch::Tensor strip_path_rows(const torch::Tensor& pred, int64_t top_k, double jump_nats_per_row);
/// [batch, W] confidence in [0, 1]: the sigmoid of pred's row H.
torch::Tensor strip_confidence(const torch::Tensor& pred);

struct StripGaussianCeOptions {
  TORCH_ARG(double, sigma_rows) = 1.0;
};

class StripGaussianCe : public Loss {
 public:
  explicit StripGaussianCe(StripGaussianCeOptions options) : options_(options) {}
  torch::Tensor forward(const torch::Tensor& pred, const torch::Tensor& target) override;

 private:
  StripGaussianCeOptions options_;
};

struct StripSnrOptions {
  TORCH_ARG(int64_t, top_k) = 4;
  TORCH_ARG(double, eps) = 1e-4;  // mV^2
};

class StripSnr : public Loss {
 public:
  explicit StripSnr(StripSnrOptions options) : options_(options) {}
  torch::Tensor forward(const torch::Tensor& pred, const torch::Tensor& target) override;

 private:
  StripSnrOptions options_;
};

struct StripConfidenceOptions {
  TORCH_ARG(double, pos_weight) = 1.0;   // weight of the columns with a positive target
  TORCH_ARG(double, within_rows) = 0.0;  // > 0: positive only where the argmax is this close
};

class StripConfidence : public Loss {
 public:
  explicit StripConfidence(StripConfidenceOptions options) : options_(options) {}
  torch::Tensor forward(const torch::Tensor& pred, const torch::Tensor& target) override;

 private:
  StripConfidenceOptions options_;
};

void register_strip_trace_losses(LossRegistry& registry);

}  // namespace ecg::losses
