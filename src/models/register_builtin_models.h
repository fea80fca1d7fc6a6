#pragma once
// Registers every built-in model, explicitly (no static self-registration).

#include <cstdint>

#include "models/ecg_model.h"

namespace ecg::models {

/// signal_cnn1d, resnet1d, resnet, mobilenet_v2, vit, vit_detr.
void register_builtin_models(ModelRegistry& registry);

/// Number of trainable parameters.
int64_t parameter_count(const torch::nn::Module& module);

}  // namespace ecg::models
