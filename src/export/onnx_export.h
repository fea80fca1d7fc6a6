#pragma once
// ONNX export of a traced model (trace.h), built node by node with libonnx.
//
// Each aten op of the traced graph becomes standard ONNX ops (default domain, opset
// 13..17); parameters and buffers become initializers named after their module path
// ("features.0.weight"); integer sizes computed from the batch (dynamic batch) become
// Shape/Gather arithmetic. The graph's inputs are named after the model's input_names()
// with a symbolic "batch" first dimension when dynamic, its output "output".
// An op with no conversion fails with "export onnx: unsupported op aten::x in module
// 'path'" naming the module that reads the nearest parameters.
//
//   onnx::ModelProto m = to_onnx(traced, {.opset = 17, .metadata = {...}});
//   check_onnx(m);               // libonnx checker + strict shape inference
//   save_onnx(m, "model.onnx");  // atomic

#include <onnx/onnx_pb.h>
#include <torch/script.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ecg::exporting {

constexpr int64_t kMinOpset = 13;
constexpr int64_t kMaxOpset = 17;  // the newest libonnx 1.12 knows

struct OnnxOptions {
  int64_t opset = kMaxOpset;
  bool dynamic_batch = true;
  std::vector<std::string> input_names;         // one per traced input
  std::map<std::string, std::string> metadata;  // metadata_props
  std::string producer_version;
};

/// Converts a module made by trace_model(). Throws ecg::Error for an unsupported op.
onnx::ModelProto to_onnx(const torch::jit::Module& traced, const OnnxOptions& options);

/// libonnx's checker and strict shape inference; throws ecg::Error with their message.
void check_onnx(const onnx::ModelProto& model);

/// Writes the model atomically.
void save_onnx(const onnx::ModelProto& model, const std::filesystem::path& path);

/// Reads a model; throws ecg::Error naming the file when it is not ONNX.
onnx::ModelProto load_onnx(const std::filesystem::path& path);

/// The aten ops the export converts ("aten::_convolution", ...), sorted.
std::vector<std::string> supported_aten_ops();

}  // namespace ecg::exporting
