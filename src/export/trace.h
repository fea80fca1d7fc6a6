#pragma once
// Tracing a C++ model into a TorchScript module that runs with no ecgtorch code.
//
// The model's nn::Module tree is mirrored into a torch::jit::Module that shares its
// parameters and buffers under the same names ("features.0.weight"), and the model's
// forward_inputs() is traced in eval mode on example inputs, one per input_names().
// The traced forward takes the inputs in that order and returns one tensor.
//
// Dynamic batch: a trace records every size as a constant. With dynamic_batch the model
// is traced at batch 2, 3 and 5; every integer constant that changes with the batch must
// be affine in it (a * batch + c) and is replaced by that expression of the first input's
// size(0). Graphs that differ in structure, or a float or tensor constant that changes
// with the batch, fail with an error naming the op (the model branches on the batch).
//
//   torch::jit::Module m = trace_model(*model, model->example_inputs(1), {});
//   m.save("model.pt");  // torch::jit::load / torch.jit.load

#include <torch/script.h>

#include <string>
#include <vector>

#include "models/ecg_model.h"

namespace ecg::exporting {

struct TraceOptions {
  bool dynamic_batch = true;
};

/// Traces `model` (left in the mode it had). `examples` share one batch size.
/// Throws ecg::Error when the model cannot be traced.
torch::jit::Module trace_model(models::EcgModel& model, const std::vector<torch::Tensor>& examples,
                               const TraceOptions& options);

/// The traced forward graph of a module made by trace_model().
std::shared_ptr<torch::jit::Graph> forward_graph(const torch::jit::Module& traced);

/// Runs a traced module on `inputs`; returns its tensor output.
torch::Tensor run_traced(torch::jit::Module& traced, const std::vector<torch::Tensor>& inputs);

/// "features.0.weight" for a value read through a chain of prim::GetAttr from the
/// module's self; empty for anything else.
std::string attribute_path(const torch::jit::Value* value);

/// The module a node belongs to, for messages: the module path of the parameters it reads,
/// or else of the nearest node upstream that reads some ("encoder.blocks.3.attn");
/// "<top level>" when none does.
std::string module_path_of(const torch::jit::Node* node);

}  // namespace ecg::exporting
