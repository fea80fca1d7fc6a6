#pragma once
// Monte-Carlo dropout (Gal & Ghahramani 2016): run a model several times with dropout
// active and report the per-element mean and variance of its outputs.

#include <torch/nn/module.h>
#include <torch/types.h>

#include <functional>

namespace ecg::models {

struct UncertainPrediction {
  torch::Tensor mean;      // per element, over the samples
  torch::Tensor variance;  // unbiased (n - 1), exactly 0 when every sample is identical
};

/// Calls `sample` n_samples times (n_samples >= 2) under NoGradGuard with `model`'s
/// dropout active and its BatchNorm layers in eval mode (running statistics), then
/// restores every submodule's previous mode. The variance is computed around the first
/// sample, so a model without dropout gives exactly 0.
UncertainPrediction mc_dropout(torch::nn::Module& model, int64_t n_samples,
                               const std::function<torch::Tensor()>& sample);

}  // namespace ecg::models
