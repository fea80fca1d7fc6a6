#pragma once
// Loss: the base of every registered loss. forward(pred, target) returns a scalar
// tensor that autograd differentiates with respect to pred. Each loss's header gives
// the shapes and units it expects. Losses whose weights change during training (LDAM's
// DRW schedule) follow set_epoch(), which the trainer calls at the start of each epoch.

#include <torch/nn/module.h>
#include <torch/types.h>

#include <cstdint>

#include "core/registry.h"

namespace ecg::losses {

class Loss : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& pred, const torch::Tensor& target) = 0;
  /// Called with the 0-based epoch before it starts; the default ignores it.
  virtual void set_epoch(int64_t /*epoch*/) {}
};

using LossRegistry = Registry<Loss>;

}  // namespace ecg::losses
