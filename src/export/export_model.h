#pragma once
// `ecgtorch export`: a checkpoint to a TorchScript or ONNX file, and the check of that
// file against the C++ model.
//
//   TorchScript  traced (trace.h); loads with torch::jit::load and Python's torch.jit.load;
//                carries the extra file "ecgtorch_io.json" (model_io.h).
//   ONNX         converted op by op (onnx_export.h), checked by libonnx's checker and
//                shape inference; metadata_props: ecgtorch_version, ecgtorch_config (YAML),
//                input_normalization, lead_order, sample_rate_hz, class_names,
//                ecgtorch_io (JSON), checkpoint_step, git_sha.
// Files are written atomically.
//
// verify_export() runs the written file on random inputs (batch 1, and 3 with a dynamic
// batch) and on the first examples of the checkpoint's validation data when they can be
// built, and reports the largest absolute difference from the C++ model in eval mode.

#include <filesystem>
#include <string>
#include <vector>

#include "export/model_io.h"
#include "train/registries.h"
#include "train/trained_model.h"

namespace ecg::exporting {

enum class ExportFormat { kTorchScript, kOnnx };

/// "torchscript" | "onnx"; throws ecg::Error otherwise.
ExportFormat parse_export_format(const std::string& s);

struct ExportRequest {
  ExportFormat format = ExportFormat::kTorchScript;
  std::filesystem::path out;
  int64_t opset = 17;
  bool dynamic_batch = false;
  /// Per-example sizes of a single-input model's input (no batch); empty: the model's own.
  std::vector<int64_t> input_shape;
};

struct Exported {
  ModelIo io;
  std::vector<torch::Tensor> examples;  // what was traced (batch 1)
  int64_t bytes = 0;
  double seconds = 0;
};

/// Exports a loaded checkpoint. Throws ecg::Error (unsupported op, bad shape, ...).
Exported export_model(train::TrainedModel& trained, const train::Registries& regs, const ExportRequest& request);

struct VerifyCase {
  std::string what;  // "random, batch 1", "validation examples 0-1"
  double max_abs_diff = 0;
};

struct VerifyReport {
  std::vector<VerifyCase> cases;
  std::vector<std::string> skipped;  // cases that could not run, with the reason
  double tolerance = 0;
  bool ok() const;
};

/// Default tolerances: 1e-5 for TorchScript, 1e-4 for ONNX Runtime.
double default_tolerance(ExportFormat format);

VerifyReport verify_export(train::TrainedModel& trained, const train::Registries& regs, const Exported& exported,
                           const ExportRequest& request, double tolerance);

}  // namespace ecg::exporting
