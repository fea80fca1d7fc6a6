#pragma once
// Predictor: one interface over the three model files `ecgtorch predict` takes:
//   checkpoint   (.pt written by ecgtorch train) — LibTorch eager, MC dropout available;
//   TorchScript  (.pt written by ecgtorch export) — torch::jit, no ecgtorch model code;
//   ONNX         (.onnx written by ecgtorch export) — ONNX Runtime (onnx_runtime.h).
// A .pt file is a checkpoint when it holds ecgtorch's "meta" record, else TorchScript.
// Exported files carry their ModelIo (model_io.h); a checkpoint's is derived from its config.
//
//   auto p = open_predictor("model.onnx", *regs);
//   torch::Tensor y = p->run({images});   // [batch, ...] in, [batch, ...] out

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "export/model_io.h"
#include "models/mc_dropout.h"
#include "train/registries.h"

#include <torch/types.h>

namespace ecg::exporting {

class Predictor {
 public:
  virtual ~Predictor() = default;
  const ModelIo& io() const { return io_; }
  /// "checkpoint" | "torchscript" | "onnx"
  virtual std::string kind() const = 0;
  /// One batch: one tensor per io().input_names, batch first. Returns the model's output.
  virtual torch::Tensor run(const std::vector<torch::Tensor>& inputs) = 0;
  /// n MC-dropout passes (n >= 2): mean and variance of activation(output) (activation:
  /// sigmoid | softmax | none). Only checkpoints keep dropout; exported files were traced
  /// in eval mode and throw ecg::Error.
  virtual models::UncertainPrediction run_uncertain(const std::vector<torch::Tensor>& inputs, int64_t n,
                                                    const std::string& activation);
  /// Whether run() takes any batch size (exports without --dynamic-batch take 1).
  bool dynamic_batch() const { return io_.dynamic_batch; }

 protected:
  ModelIo io_;
};

/// sigmoid | softmax (over dim 1) | none.
torch::Tensor apply_activation(const torch::Tensor& logits, const std::string& activation);

/// Throws ecg::Error naming the file when it is none of the three kinds.
std::unique_ptr<Predictor> open_predictor(const std::filesystem::path& path, const train::Registries& regs);

}  // namespace ecg::exporting
