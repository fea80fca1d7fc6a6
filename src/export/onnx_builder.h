#pragma once
// OnnxBuilder: appends nodes, constants and initializers to an onnx::GraphProto with
// unique value names. The ONNX export's only contact with the protobuf API.
//
//   OnnxBuilder b(model.mutable_graph());
//   std::string y = b.op("Relu", {x});
//   auto outs = b.op_n("Split", {x, b.ints({2, 2})}, 2, [](onnx::NodeProto& n) { set_int(n, "axis", 1); });

#include <onnx/onnx_pb.h>
#include <torch/types.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace ecg::exporting {

using NodeAttrs = std::function<void(onnx::NodeProto&)>;

void set_int(onnx::NodeProto& n, const std::string& name, int64_t v);
void set_ints(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v);
void set_float(onnx::NodeProto& n, const std::string& name, double v);
void set_string(onnx::NodeProto& n, const std::string& name, const std::string& v);
/// A one-element tensor attribute (ConstantOfShape's value).
void set_scalar_tensor(onnx::NodeProto& n, const std::string& name, double v, int32_t elem_type);

/// onnx::TensorProto element type of a LibTorch dtype; throws ecg::Error for others.
int32_t onnx_elem_type(c10::ScalarType t);

class OnnxBuilder {
 public:
  explicit OnnxBuilder(onnx::GraphProto* graph) : graph_(graph) {}

  /// A name no other value has, derived from `hint`.
  std::string fresh(const std::string& hint);
  /// One node with one output; returns the output name.
  std::string op(const std::string& type, const std::vector<std::string>& inputs, const NodeAttrs& attrs = {});
  /// One node with n outputs.
  std::vector<std::string> op_n(const std::string& type, const std::vector<std::string>& inputs, int n,
                                const NodeAttrs& attrs = {});
  /// A node whose output name is given (graph outputs).
  void op_to(const std::string& type, const std::vector<std::string>& inputs, const std::string& output,
             const NodeAttrs& attrs = {});

  /// Initializer `name` holding a copy of `t` (contiguous, on the CPU); returns `name`.
  std::string initializer(const std::string& name, const torch::Tensor& t);
  /// An int64 constant: 1-D, or 0-D when `scalar`.
  std::string ints(const std::vector<int64_t>& v, bool scalar = false);
  /// A 0-D constant of `elem_type` (FLOAT, INT64, BOOL, ...).
  std::string scalar(double v, int32_t elem_type);

 private:
  onnx::GraphProto* graph_;
  std::set<std::string> issued_;            // every name handed out
  std::map<std::string, int> next_suffix_;  // per hint, the last suffix tried
};

}  // namespace ecg::exporting
