#pragma once
// EcgModel: the base of every registered model. A model is a torch::nn::Module with one
// tensor in and one tensor out; each model's header documents the shapes and units.
// forward must not branch on tensor values, so that traced exports match.

#include <torch/nn/module.h>
#include <torch/types.h>

#include "core/registry.h"

namespace ecg::models {

class EcgModel : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& x) = 0;
};

using ModelRegistry = Registry<EcgModel>;

}  // namespace ecg::models
