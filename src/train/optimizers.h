#pragma once
// Registered optimizers: sgd, adam and adamw (decoupled weight decay, Loshchilov &
// Hutter 2019), built from YAML over the parameter groups the trainer passes in.
//
//   optimizer: {name: adamw, lr: 1.0e-3, weight_decay: 0.01}

#include <torch/arg.h>
#include <torch/optim/optimizer.h>

#include <memory>
#include <vector>

#include "core/registry.h"

namespace ecg::train {

using OptimizerRegistry = Registry<torch::optim::Optimizer, std::vector<torch::optim::OptimizerParamGroup>>;

struct SgdOptions {
  TORCH_ARG(double, lr) = 0.01;
  TORCH_ARG(double, momentum) = 0.0;
  TORCH_ARG(double, dampening) = 0.0;
  TORCH_ARG(double, weight_decay) = 0.0;
  TORCH_ARG(bool, nesterov) = false;
};

struct AdamOptions {
  TORCH_ARG(double, lr) = 1e-3;
  TORCH_ARG(std::vector<double>, betas) = std::vector<double>{0.9, 0.999};
  TORCH_ARG(double, eps) = 1e-8;
  TORCH_ARG(double, weight_decay) = 0.0;  // adam: L2 added to the gradient; adamw: decoupled
  TORCH_ARG(bool, amsgrad) = false;
};

std::shared_ptr<torch::optim::Optimizer> make_sgd(const SgdOptions& o,
                                                  std::vector<torch::optim::OptimizerParamGroup> groups);
std::shared_ptr<torch::optim::Optimizer> make_adam(const AdamOptions& o,
                                                   std::vector<torch::optim::OptimizerParamGroup> groups);
std::shared_ptr<torch::optim::Optimizer> make_adamw(const AdamOptions& o,
                                                    std::vector<torch::optim::OptimizerParamGroup> groups);

void register_builtin_optimizers(OptimizerRegistry& registry);

}  // namespace ecg::train
