#pragma once
// The layer table of a module, for `ecgtorch list models -v`: one row per module that
// owns parameters or buffers (leaves and modules with their own tensors, such as a ViT's
// class token), with its path, type, tensor shapes and parameter count, then the total.

#include <torch/nn/module.h>

#include <string>

namespace ecg::models {

/// "  path  type  shapes  params" rows, aligned, ending with "  total  N parameters".
std::string layer_table(const torch::nn::Module& module);

}  // namespace ecg::models
