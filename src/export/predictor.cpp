#include "export/predictor.h"

#include <torch/script.h>
#include <torch/torch.h>

#include "core/error.h"
#include "export/onnx_export.h"
#include "export/onnx_runtime.h"
#include "train/checkpoint.h"
#include "train/trained_model.h"

namespace ecg::exporting {
namespace {

namespace fs = std::filesystem;

class CheckpointPredictor : public Predictor {
 public:
  CheckpointPredictor(const fs::path& path, const train::Registries& regs)
      : trained_(train::load_trained_model(path, regs)) {
    // The input sizes the model was trained on when its data can be built here, as export does.
    std::string why;
    // A beat classifier's input is its window, which the checkpoint records: no data to build.
    std::vector<torch::Tensor> examples;
    if (trained_.meta.contains("beat_window")) {
      const auto w = data::BeatWindowSpec::from_json(trained_.meta.at("beat_window"), path.string());
      examples.push_back(torch::zeros({1, 1, w.length()}));
    } else {
      examples = validation_inputs(trained_, regs, 1, &why);
    }
    if (examples.empty()) examples = trained_.model->example_inputs(1);
    io_ = describe_model_io(trained_, regs, examples);
  }
  std::string kind() const override { return "checkpoint"; }
  torch::Tensor run(const std::vector<torch::Tensor>& inputs) override {
    torch::NoGradGuard no_grad;
    trained_.model->eval();
    return trained_.model->forward_inputs(inputs);
  }
  models::UncertainPrediction run_uncertain(const std::vector<torch::Tensor>& inputs, int64_t n,
                                            const std::string& activation) override {
    return models::mc_dropout(*trained_.model, n,
                              [&] { return apply_activation(trained_.model->forward_inputs(inputs), activation); });
  }

 private:
  train::TrainedModel trained_;
};

class TorchScriptPredictor : public Predictor {
 public:
  explicit TorchScriptPredictor(const fs::path& path) {
    torch::jit::ExtraFilesMap extra{{"ecgtorch_io.json", ""}};
    try {
      module_ = torch::jit::load(path.string(), c10::nullopt, extra);
    } catch (const c10::Error& e) {
      throw Error(path.string() + ": neither an ecgtorch checkpoint nor a TorchScript file (" +
                  e.what_without_backtrace() + ")");
    }
    const std::string& text = extra.at("ecgtorch_io.json");
    ECG_CHECK(!text.empty(), path.string(),
              ": a TorchScript file without ecgtorch_io.json (not made by ecgtorch export)");
    io_ = ModelIo::from_json(nlohmann::json::parse(text), path.string());
    module_.eval();
  }
  std::string kind() const override { return "torchscript"; }
  torch::Tensor run(const std::vector<torch::Tensor>& inputs) override {
    torch::NoGradGuard no_grad;
    std::vector<c10::IValue> args(inputs.begin(), inputs.end());
    return module_.forward(args).toTensor();
  }

 private:
  torch::jit::Module module_;
};

class OnnxPredictor : public Predictor {
 public:
  explicit OnnxPredictor(fs::path path) : path_(std::move(path)) {
    const onnx::ModelProto m = load_onnx(path_);
    std::string text;
    for (const auto& p : m.metadata_props())
      if (p.key() == "ecgtorch_io") text = p.value();
    ECG_CHECK(!text.empty(), path_.string(),
              ": an ONNX model without ecgtorch_io metadata (not made by ecgtorch export)");
    io_ = ModelIo::from_json(nlohmann::json::parse(text), path_.string());
    if (const auto why = onnx_runtime_missing()) throw Error(path_.string() + ": cannot run ONNX here: " + *why);
  }
  std::string kind() const override { return "onnx"; }
  torch::Tensor run(const std::vector<torch::Tensor>& inputs) override {
    return run_onnx_runtime(path_, io_.input_names, inputs).output;
  }

 private:
  fs::path path_;
};

bool is_checkpoint(const fs::path& path) {
  try {
    train::read_checkpoint_meta(path);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

torch::Tensor apply_activation(const torch::Tensor& logits, const std::string& activation) {
  if (activation == "sigmoid") return torch::sigmoid(logits);
  if (activation == "softmax") return torch::softmax(logits, 1);
  return logits;
}

models::UncertainPrediction Predictor::run_uncertain(const std::vector<torch::Tensor>&, int64_t, const std::string&) {
  throw Error("--uncertainty needs a checkpoint: the " + kind() +
              " export was traced in eval mode, so its dropout is off (give the .pt checkpoint)");
}

std::unique_ptr<Predictor> open_predictor(const fs::path& path, const train::Registries& regs) {
  ECG_CHECK(fs::is_regular_file(path), path.string(), ": no such model file");
  if (path.extension() == ".onnx") return std::make_unique<OnnxPredictor>(path);
  if (is_checkpoint(path)) return std::make_unique<CheckpointPredictor>(path, regs);
  return std::make_unique<TorchScriptPredictor>(path);
}

}  // namespace ecg::exporting
