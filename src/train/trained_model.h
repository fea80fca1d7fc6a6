#pragma once
// A trained model read back from a checkpoint for inference and export: the model the
// checkpoint's own config describes, with the checkpoint's weights (the EMA weights when
// the run kept an EMA), in eval mode.
//
//   TrainedModel t = load_trained_model("runs/x/checkpoints/best.pt", *regs);
//   auto y = t.model->forward(x);

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <string>

#include "core/config_node.h"
#include "models/ecg_model.h"
#include "train/registries.h"

namespace ecg::train {

struct TrainedModel {
  std::shared_ptr<models::EcgModel> model;
  config::ConfigNode config;  // the run's resolved job config
  nlohmann::json meta;        // the checkpoint's meta (step, versions, metrics, ...)
  std::string model_name;     // config model.name
  bool ema = false;           // the weights are the EMA's
};

/// Throws ecg::Error naming the file when it is not an ecgtorch checkpoint or its
/// weights do not fit its config's model.
TrainedModel load_trained_model(const std::filesystem::path& checkpoint, const Registries& regs);

}  // namespace ecg::train
