#pragma once
// Running an ONNX file in ONNX Runtime, for export checks and latency figures. ONNX
// Runtime comes from the npm package onnxruntime-node (`npm install --prefix tools/ort`),
// driven by tools/ort/ort_run.js under node: inputs and output travel as raw files in a
// temporary directory.
//
// Where things are found:
//   node                 ECGTORCH_NODE, else `node` on PATH;
//   ort_run.js           ECGTORCH_ORT_SCRIPT, else <prefix>/share/ecgtorch/ort/ort_run.js
//                        next to the installed binary, else the source tree's tools/ort/;
//   onnxruntime-node     ECGTORCH_ORT_NODE_DIR (a node_modules folder), else the
//                        node_modules beside ort_run.js.

#include <torch/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ecg::exporting {

struct OrtRun {
  torch::Tensor output;          // float32, on the CPU
  std::vector<double> times_ms;  // one per timed repeat (after one untimed run)
};

/// Why ONNX Runtime cannot run here ("node not found ..."), or nullopt when it can.
std::optional<std::string> onnx_runtime_missing();

/// Runs the model's first output on `inputs` (float32 or int64, named `input_names`).
/// `repeat` > 0 also times that many runs with `threads` intra-op threads.
/// Throws ecg::Error with ONNX Runtime's message when the run fails.
OrtRun run_onnx_runtime(const std::filesystem::path& model, const std::vector<std::string>& input_names,
                        const std::vector<torch::Tensor>& inputs, int repeat = 0, int threads = 1);

}  // namespace ecg::exporting
