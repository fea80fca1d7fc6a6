#include "export/onnx_builder.h"

#include <torch/torch.h>

#include "core/error.h"

namespace ecg::exporting {

void set_int(onnx::NodeProto& n, const std::string& name, int64_t v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

void set_ints(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

void set_float(onnx::NodeProto& n, const std::string& name, double v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(static_cast<float>(v));
}

void set_string(onnx::NodeProto& n, const std::string& name, const std::string& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}

namespace {

c10::ScalarType torch_type(int32_t elem_type) {
  switch (elem_type) {
    case onnx::TensorProto::FLOAT:
      return torch::kFloat;
    case onnx::TensorProto::DOUBLE:
      return torch::kDouble;
    case onnx::TensorProto::INT64:
      return torch::kLong;
    case onnx::TensorProto::INT32:
      return torch::kInt;
    case onnx::TensorProto::BOOL:
      return torch::kBool;
    case onnx::TensorProto::FLOAT16:
      return torch::kHalf;
    default:
      throw Error("export onnx: no LibTorch dtype for ONNX element type " + std::to_string(elem_type));
  }
}

void fill_tensor(onnx::TensorProto* p, const torch::Tensor& tensor) {
  const auto t = tensor.detach().to(torch::kCPU).contiguous();
  p->set_data_type(onnx_elem_type(t.scalar_type()));
  for (int64_t d : t.sizes()) p->add_dims(d);
  p->set_raw_data(t.data_ptr(), static_cast<size_t>(t.numel()) * t.element_size());
}

}  // namespace

void set_scalar_tensor(onnx::NodeProto& n, const std::string& name, double v, int32_t elem_type) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::TENSOR);
  fill_tensor(a->mutable_t(), torch::full({1}, v, torch::TensorOptions().dtype(torch_type(elem_type))));
}

int32_t onnx_elem_type(c10::ScalarType t) {
  switch (t) {
    case torch::kFloat:
      return onnx::TensorProto::FLOAT;
    case torch::kDouble:
      return onnx::TensorProto::DOUBLE;
    case torch::kLong:
      return onnx::TensorProto::INT64;
    case torch::kInt:
      return onnx::TensorProto::INT32;
    case torch::kBool:
      return onnx::TensorProto::BOOL;
    case torch::kHalf:
      return onnx::TensorProto::FLOAT16;
    case torch::kBFloat16:
      return onnx::TensorProto::BFLOAT16;
    default:
      throw Error(std::string("export onnx: dtype ") + c10::toString(t) + " has no ONNX element type");
  }
}

std::string OnnxBuilder::fresh(const std::string& hint) {
  const std::string base = hint.empty() ? "v" : hint;
  std::string name = base;
  int& next = next_suffix_[base];
  while (issued_.count(name) != 0) name = base + "_" + std::to_string(++next);
  issued_.insert(name);
  return name;
}

std::vector<std::string> OnnxBuilder::op_n(const std::string& type, const std::vector<std::string>& inputs, int n,
                                           const NodeAttrs& attrs) {
  onnx::NodeProto* node = graph_->add_node();
  node->set_op_type(type);
  node->set_name(fresh(type));
  for (const auto& i : inputs) node->add_input(i);
  std::vector<std::string> outs;
  for (int k = 0; k < n; ++k) {
    outs.push_back(fresh(type + "_out"));
    node->add_output(outs.back());
  }
  if (attrs) attrs(*node);
  return outs;
}

std::string OnnxBuilder::op(const std::string& type, const std::vector<std::string>& inputs, const NodeAttrs& attrs) {
  return op_n(type, inputs, 1, attrs)[0];
}

void OnnxBuilder::op_to(const std::string& type, const std::vector<std::string>& inputs, const std::string& output,
                        const NodeAttrs& attrs) {
  onnx::NodeProto* node = graph_->add_node();
  node->set_op_type(type);
  node->set_name(fresh(type));
  for (const auto& i : inputs) node->add_input(i);
  node->add_output(output);
  if (attrs) attrs(*node);
}

std::string OnnxBuilder::initializer(const std::string& name, const torch::Tensor& t) {
  onnx::TensorProto* p = graph_->add_initializer();
  p->set_name(name);
  fill_tensor(p, t);
  return name;
}

std::string OnnxBuilder::ints(const std::vector<int64_t>& v, bool scalar) {
  ECG_CHECK(!scalar || v.size() == 1, "export onnx: a scalar constant needs one value");
  auto t = torch::tensor(v, torch::kLong);
  if (scalar) t = t.reshape({});
  return initializer(fresh("const"), t);
}

std::string OnnxBuilder::scalar(double v, int32_t elem_type) {
  return initializer(fresh("const"), torch::full({}, v, torch::TensorOptions().dtype(torch_type(elem_type))));
}

}  // namespace ecg::exporting
