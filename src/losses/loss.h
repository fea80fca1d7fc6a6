#pragma once
// Loss: the base of every registered loss. forward(pred, target) returns a scalar
// tensor that autograd can differentiate with respect to pred.

#include <torch/nn/module.h>
#include <torch/types.h>

#include "core/registry.h"

namespace ecg::losses {

class Loss : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& pred, const torch::Tensor& target) = 0;
};

using LossRegistry = Registry<Loss>;

}  // namespace ecg::losses
