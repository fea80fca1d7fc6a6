#pragma once
// EcgModel: the base of every registered model. A model is a torch::nn::Module with one
// tensor in and one tensor out; each model's header documents the shapes and units.
// forward must not branch on tensor values, so that traced exports match.
// A model with several inputs (multimodal) names them in input_names() and takes them,
// in that order, through forward_inputs(); an undefined tensor there means "absent".

#include <torch/nn/module.h>
#include <torch/types.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "core/registry.h"

namespace ecg::models {

class EcgModel : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& x) = 0;
  virtual std::vector<std::string> input_names() const { return {"input"}; }
  virtual torch::Tensor forward_inputs(const std::vector<torch::Tensor>& inputs) {
    ECG_CHECK(inputs.size() == 1, "model: expected 1 input, got ", inputs.size());
    return forward(inputs[0]);
  }
  /// Inputs of the model's nominal size, one per input_names(), with batch `batch`:
  /// standard-normal floats from the global generator (int64 zeros for category ids).
  /// Used to trace exports and to check them.
  virtual std::vector<torch::Tensor> example_inputs(int64_t batch) const = 0;
  /// The input's spatial sizes (an image's height and width) must be multiples of this
  /// (a network's total stride); callers pad to it.
  virtual int64_t size_multiple() const { return 1; }
};

using ModelRegistry = Registry<EcgModel>;

}  // namespace ecg::models
