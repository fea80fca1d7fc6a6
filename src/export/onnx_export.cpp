#include "export/onnx_export.h"

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/torch.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <sstream>
#include <unordered_map>

#include "core/atomic_file.h"
#include "core/error.h"
#include "export/onnx_builder.h"
#include "export/trace.h"

namespace ecg::exporting {
namespace {

namespace jit = torch::jit;
using onnx::TensorProto;

// What a jit value is during conversion.
struct Sym {
  enum Kind { kNone, kStatic, kTensor, kTensorList } kind = kNone;
  c10::IValue value;               // kStatic
  std::string name;                // kTensor: the ONNX value
  int32_t elem = 0;                // kTensor: element type
  std::vector<std::string> names;  // kTensorList
};

class Converter;
using OpFn = std::function<void(Converter&, const jit::Node*)>;
const std::map<std::string, OpFn>& op_table();

class Converter {
 public:
  Converter(onnx::GraphProto* g, const OnnxOptions& o) : b(g), opts(o) {}

  OnnxBuilder b;
  const OnnxOptions& opts;
  std::unordered_map<const jit::Value*, Sym> syms;
  std::map<std::string, std::string> initializers;  // attribute path -> ONNX name
  const jit::Node* current = nullptr;
  std::map<std::string, torch::Tensor> tensors;  // parameters and buffers by path

  [[noreturn]] void fail(const std::string& what) const {
    throw Error("export onnx: " + std::string(current->kind().toQualString()) + " in module '" +
                module_path_of(current) + "': " + what);
  }

  const Sym& sym(const jit::Value* v) {
    auto it = syms.find(v);
    if (it == syms.end()) fail("internal: value %" + v->debugName() + " was not converted");
    return it->second;
  }
  bool is_static(const jit::Value* v) { return sym(v).kind == Sym::kStatic; }
  bool is_none(const jit::Value* v) { return sym(v).kind == Sym::kStatic && sym(v).value.isNone(); }
  c10::IValue static_value(const jit::Value* v) {
    const Sym& s = sym(v);
    if (s.kind != Sym::kStatic) fail("argument %" + v->debugName() + " must be a constant");
    return s.value;
  }
  int64_t static_int(const jit::Value* v) { return static_value(v).toInt(); }
  double static_double(const jit::Value* v) {
    const auto iv = static_value(v);
    return iv.isInt() ? static_cast<double>(iv.toInt()) : iv.isBool() ? iv.toBool() : iv.toDouble();
  }
  bool static_bool(const jit::Value* v) { return static_value(v).toBool(); }
  std::vector<int64_t> static_ints(const jit::Value* v) { return static_value(v).toIntVector(); }

  // The value's type; parameters and buffers (typed plain Tensor in the graph) get the
  // complete type of their tensor.
  c10::TensorTypePtr ttype(const jit::Value* v) const {
    auto t = v->type()->cast<c10::TensorType>();
    if (t && !t->sizes().concrete_sizes() && v->node()->kind() == c10::prim::GetAttr) {
      auto it = tensors.find(attribute_path(v));
      if (it != tensors.end()) return c10::TensorType::create(it->second);
    }
    return t;
  }
  int64_t rank(const jit::Value* v) {
    const auto t = ttype(v);
    if (!t || !t->dim()) fail("the rank of %" + v->debugName() + " is unknown");
    return static_cast<int64_t>(*t->dim());
  }
  // Sizes of the value in the trace (the first dimension may be the batch).
  std::vector<int64_t> traced_sizes(const jit::Value* v) {
    const auto t = ttype(v);
    const auto s = t ? t->sizes().concrete_sizes() : c10::nullopt;
    if (!s) fail("the sizes of %" + v->debugName() + " are unknown");
    return *s;
  }
  int32_t elem_of(const jit::Value* v) {
    const auto t = ttype(v);
    if (!t || !t->scalarType()) fail("the dtype of %" + v->debugName() + " is unknown");
    return onnx_elem_type(*t->scalarType());
  }
  int64_t dim_arg(const jit::Value* dim, int64_t r) {
    int64_t d = static_int(dim);
    if (d < 0) d += r;
    if (d < 0 || d >= r) fail("dimension out of range");
    return d;
  }

  // The ONNX tensor for a value; constants become initializers of `like_elem` (or their own
  // type when 0).
  std::string tensor(const jit::Value* v, int32_t like_elem = 0) {
    const Sym& s = sym(v);
    if (s.kind == Sym::kTensor) return s.name;
    if (s.kind == Sym::kStatic) {
      const auto& iv = s.value;
      if (iv.isTensor()) return b.initializer(b.fresh("const"), iv.toTensor());
      if (iv.isInt()) return b.scalar(static_cast<double>(iv.toInt()), like_elem ? like_elem : TensorProto::INT64);
      if (iv.isDouble()) return b.scalar(iv.toDouble(), like_elem ? like_elem : TensorProto::FLOAT);
      if (iv.isBool()) return b.scalar(iv.toBool() ? 1 : 0, like_elem ? like_elem : TensorProto::BOOL);
      if (iv.isIntList()) return b.ints(iv.toIntVector());
    }
    fail("argument %" + v->debugName() + " cannot be used as a tensor");
  }
  int32_t elem_sym(const jit::Value* v) {
    const Sym& s = sym(v);
    if (s.kind == Sym::kTensor) return s.elem;
    if (s.kind == Sym::kStatic && s.value.isTensor()) return onnx_elem_type(s.value.toTensor().scalar_type());
    return 0;
  }

  // An int64 1-D tensor for an int list (static, or with sizes computed from the batch);
  // `map` rewrites static entries (expand's -1 -> 1).
  std::string int_list(const jit::Value* v, const std::function<int64_t(size_t, int64_t)>& map = {}) {
    const Sym& s = sym(v);
    if (s.kind == Sym::kStatic) {
      auto xs = s.value.toIntVector();
      if (map)
        for (size_t i = 0; i < xs.size(); ++i) xs[i] = map(i, xs[i]);
      return b.ints(xs);
    }
    if (s.kind == Sym::kTensor) return s.name;
    fail("argument %" + v->debugName() + " must be a list of ints");
  }

  void set_tensor(const jit::Value* v, std::string name, int32_t elem = 0) {
    Sym s;
    s.kind = Sym::kTensor;
    s.name = std::move(name);
    s.elem = elem != 0 ? elem : (ttype(v) && ttype(v)->scalarType() ? onnx_elem_type(*ttype(v)->scalarType()) : 0);
    syms[v] = std::move(s);
  }
  void set_static(const jit::Value* v, c10::IValue iv) {
    Sym s;
    s.kind = Sym::kStatic;
    s.value = std::move(iv);
    syms[v] = std::move(s);
  }
  void alias(const jit::Value* out, const jit::Value* in) { syms[out] = sym(in); }

  // An op on the node's inputs [0, n) as tensors, result in output 0.
  void simple(const jit::Node* n, const std::string& type, size_t n_inputs, const NodeAttrs& attrs = {}) {
    std::vector<std::string> ins;
    for (size_t i = 0; i < n_inputs; ++i) ins.push_back(tensor(n->input(i)));
    set_tensor(n->output(0), b.op(type, ins, attrs));
  }

  void convert(const jit::Graph& g) {
    // Inputs: self, then the model's tensors.
    for (size_t i = 1; i < g.inputs().size(); ++i) {
      const jit::Value* in = g.inputs()[i];
      const std::string name = i - 1 < opts.input_names.size() ? opts.input_names[i - 1] : in->debugName();
      ECG_CHECK(b.fresh(name) == name, "export onnx: input name '", name, "' is used twice or names a parameter");
      auto* vi = b_graph->add_input();
      vi->set_name(name);
      describe(vi, in);
      set_tensor(in, name);
    }
    for (const jit::Node* n : g.nodes()) {
      current = n;
      convert_node(n);
    }
    current = g.return_node();
    const jit::Value* out = g.outputs().at(0);
    b.op_to("Identity", {tensor(out)}, "output");
    auto* vo = b_graph->add_output();
    vo->set_name("output");
    describe(vo, out);
  }

  onnx::GraphProto* b_graph = nullptr;

 private:
  void describe(onnx::ValueInfoProto* vi, const jit::Value* v) {
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elem_of(v));
    const auto sizes = traced_sizes(v);
    auto* shape = tt->mutable_shape();
    for (size_t d = 0; d < sizes.size(); ++d) {
      auto* dim = shape->add_dim();
      if (d == 0 && opts.dynamic_batch)
        dim->set_dim_param("batch");
      else
        dim->set_dim_value(sizes[d]);
    }
  }

  void convert_node(const jit::Node* n) {
    const auto kind = n->kind();
    if (kind == c10::prim::Constant) {
      const auto iv = jit::toIValue(n->output());
      if (!iv) fail("a constant of type " + n->output()->type()->str() + " has no value");
      set_static(n->output(), *iv);
      return;
    }
    if (kind == c10::prim::GetAttr) {
      if (!n->output()->type()->cast<c10::TensorType>()) return;  // a submodule
      const std::string path = attribute_path(n->output());
      if (path.empty()) fail("an attribute that is not a parameter or buffer of the module");
      auto it = initializers.find(path);
      if (it == initializers.end()) {
        auto t = tensors.find(path);
        if (t == tensors.end()) fail("'" + path + "' is not a parameter or buffer of the module");
        it = initializers.emplace(path, b.initializer(path, t->second)).first;  // reserved in to_onnx()
      }
      set_tensor(n->output(), it->second);
      return;
    }
    if (kind == c10::prim::ListConstruct) return list_construct(n);
    if (kind == c10::prim::ListUnpack) {
      const Sym& s = sym(n->input(0));
      if (s.kind != Sym::kTensorList || s.names.size() != n->outputs().size())
        fail("unpacks a list of " + std::to_string(s.names.size()) + " into " + std::to_string(n->outputs().size()));
      for (size_t i = 0; i < n->outputs().size(); ++i) set_tensor(n->output(i), s.names[i]);
      return;
    }
    const auto& table = op_table();
    auto it = table.find(kind.toQualString());
    if (it == table.end()) {
      throw Error("export onnx: unsupported op " + std::string(kind.toQualString()) + " in module '" +
                  module_path_of(n) + "' (no ONNX conversion; `ecgtorch export --list-ops` lists the supported ones)");
    }
    it->second(*this, n);
  }

  void list_construct(const jit::Node* n) {
    bool all_static = true, any_tensor = false;
    for (const jit::Value* in : n->inputs()) {
      all_static = all_static && is_static(in);
      any_tensor = any_tensor || in->type()->cast<c10::TensorType>() != nullptr;
    }
    if (any_tensor) {
      Sym s;
      s.kind = Sym::kTensorList;
      for (const jit::Value* in : n->inputs()) s.names.push_back(tensor(in));
      syms[n->output()] = std::move(s);
      return;
    }
    if (all_static) {
      const auto elem_type = n->output()->type()->containedTypes().at(0);
      if (elem_type->kind() == c10::TypeKind::IntType) {
        std::vector<int64_t> xs;
        for (const jit::Value* in : n->inputs()) xs.push_back(static_int(in));
        set_static(n->output(), xs);
      } else if (elem_type->kind() == c10::TypeKind::FloatType) {
        std::vector<double> xs;
        for (const jit::Value* in : n->inputs()) xs.push_back(static_double(in));
        set_static(n->output(), xs);
      } else if (elem_type->kind() == c10::TypeKind::BoolType) {
        c10::List<bool> xs;
        for (const jit::Value* in : n->inputs()) xs.push_back(static_bool(in));
        set_static(n->output(), xs);
      } else {
        fail("a list of " + elem_type->str());
      }
      return;
    }
    // Ints computed from the batch: a 1-D int64 tensor.
    std::vector<std::string> parts;
    for (const jit::Value* in : n->inputs()) {
      if (is_static(in)) {
        parts.push_back(b.ints({static_int(in)}));
      } else {
        parts.push_back(b.op("Unsqueeze", {tensor(in), b.ints({0})}));
      }
    }
    set_tensor(n->output(), b.op("Concat", parts, [](onnx::NodeProto& p) { set_int(p, "axis", 0); }),
               TensorProto::INT64);
  }
};

// ---- the op table -------------------------------------------------------------------

using C = Converter;
using N = const jit::Node*;

void unary(std::map<std::string, OpFn>& t, const std::string& aten, const std::string& onnx_op) {
  t["aten::" + aten] = [onnx_op](C& c, N n) { c.simple(n, onnx_op, 1); };
}

// Binary arithmetic with torch's scalar promotion: a constant operand takes the other
// operand's element type. Both constant: folded.
void binary(C& c, N n, const std::string& type, bool reversed = false) {
  const jit::Value* a = n->input(0);
  const jit::Value* x = n->input(1);
  if (reversed) std::swap(a, x);
  if (c.is_static(a) && c.is_static(x) && !c.static_value(a).isTensor() && !c.static_value(x).isTensor()) {
    const auto va = c.static_value(a), vx = c.static_value(x);
    if (va.isInt() && vx.isInt()) {
      const int64_t p = va.toInt(), q = vx.toInt();
      const int64_t r = type == "Add" ? p + q : type == "Sub" ? p - q : type == "Mul" ? p * q : q != 0 ? p / q : 0;
      if (type == "Div") return c.set_static(n->output(), static_cast<double>(p) / static_cast<double>(q));
      return c.set_static(n->output(), r);
    }
    const double p = c.static_double(a), q = c.static_double(x);
    return c.set_static(n->output(), type == "Add" ? p + q : type == "Sub" ? p - q : type == "Mul" ? p * q : p / q);
  }
  int32_t elem = c.elem_sym(a) != 0 ? c.elem_sym(a) : c.elem_sym(x);
  const auto out_t = c.ttype(n->output());
  if (out_t && out_t->scalarType()) elem = onnx_elem_type(*out_t->scalarType());
  if (elem == 0) elem = TensorProto::INT64;
  std::string sa = c.tensor(a, elem), sx = c.tensor(x, elem);
  if (c.elem_sym(a) != 0 && c.elem_sym(a) != elem)
    sa = c.b.op("Cast", {sa}, [elem](onnx::NodeProto& p) { set_int(p, "to", elem); });
  if (c.elem_sym(x) != 0 && c.elem_sym(x) != elem)
    sx = c.b.op("Cast", {sx}, [elem](onnx::NodeProto& p) { set_int(p, "to", elem); });
  // add / sub carry alpha: a + alpha * x.
  if ((type == "Add" || type == "Sub") && n->inputs().size() >= 3 && !c.is_none(n->input(2))) {
    const double alpha = c.static_double(n->input(2));
    if (alpha != 1.0) sx = c.b.op("Mul", {sx, c.b.scalar(alpha, elem)});
  }
  c.set_tensor(n->output(), c.b.op(type, {sa, sx}), elem);
}

void compare(std::map<std::string, OpFn>& t, const std::string& aten, const std::string& onnx_op) {
  t["aten::" + aten] = [onnx_op](C& c, N n) {
    int32_t elem = c.elem_sym(n->input(0)) ? c.elem_sym(n->input(0)) : c.elem_sym(n->input(1));
    c.set_tensor(n->output(), c.b.op(onnx_op, {c.tensor(n->input(0), elem), c.tensor(n->input(1), elem)}),
                 TensorProto::BOOL);
  };
}

std::vector<int64_t> twice(const std::vector<int64_t>& pads) {
  std::vector<int64_t> p = pads;
  p.insert(p.end(), pads.begin(), pads.end());
  return p;
}

// torch accepts one value for every spatial dimension ("max_pool2d(x, 2)").
std::vector<int64_t> spatial(std::vector<int64_t> v, int64_t dims) {
  if (v.size() == 1 && dims > 1) v.assign(static_cast<size_t>(dims), v[0]);
  return v;
}

void convolution(C& c, N n) {
  // _convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups, ...)
  const auto w = c.traced_sizes(n->input(1));
  const std::vector<int64_t> kernel(w.begin() + 2, w.end());
  const auto stride = c.static_ints(n->input(3)), padding = c.static_ints(n->input(4)),
             dilation = c.static_ints(n->input(5));
  const bool transposed = c.static_bool(n->input(6));
  const auto output_padding = c.static_ints(n->input(7));
  const int64_t groups = c.static_int(n->input(8));
  std::vector<std::string> ins{c.tensor(n->input(0)), c.tensor(n->input(1))};
  if (!c.is_none(n->input(2))) ins.push_back(c.tensor(n->input(2)));
  c.set_tensor(n->output(), c.b.op(transposed ? "ConvTranspose" : "Conv", ins, [&](onnx::NodeProto& p) {
    set_ints(p, "kernel_shape", kernel);
    set_ints(p, "strides", stride);
    set_ints(p, "pads", twice(padding));
    set_ints(p, "dilations", dilation);
    set_int(p, "group", groups);
    if (transposed) set_ints(p, "output_padding", output_padding);
  }));
}

void batch_norm(C& c, N n) {
  // batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn)
  if (c.static_bool(n->input(5))) c.fail("batch statistics (training mode) cannot be exported");
  const int64_t channels = c.traced_sizes(n->input(0)).at(1);
  auto param = [&](size_t i, double fill) {
    return c.is_none(n->input(i)) ? c.b.initializer(c.b.fresh("const"), torch::full({channels}, fill))
                                  : c.tensor(n->input(i));
  };
  const double eps = c.static_double(n->input(7));
  c.set_tensor(n->output(), c.b.op("BatchNormalization",
                                   {c.tensor(n->input(0)), param(1, 1.0), param(2, 0.0), param(3, 0.0), param(4, 1.0)},
                                   [eps](onnx::NodeProto& p) { set_float(p, "epsilon", eps); }));
}

// Mean and variance normalisation over `axes` (keepdims), for layer / group norm below opset 17.
std::string normalize(C& c, const std::string& x, const std::vector<int64_t>& axes, double eps, int32_t elem) {
  auto reduce = [&](const std::string& v) {
    return c.b.op("ReduceMean", {v}, [&](onnx::NodeProto& p) {
      set_ints(p, "axes", axes);
      set_int(p, "keepdims", 1);
    });
  };
  const std::string d = c.b.op("Sub", {x, reduce(x)});
  const std::string var = reduce(c.b.op("Mul", {d, d}));
  return c.b.op("Div", {d, c.b.op("Sqrt", {c.b.op("Add", {var, c.b.scalar(eps, elem)})})});
}

void layer_norm(C& c, N n) {
  // layer_norm(input, normalized_shape, weight, bias, eps, cudnn)
  const auto shape = c.static_ints(n->input(1));
  const auto k = static_cast<int64_t>(shape.size());
  const double eps = c.static_double(n->input(4));
  const int32_t elem = c.elem_of(n->input(0));
  const std::string x = c.tensor(n->input(0));
  if (c.opts.opset >= 17) {
    const std::string scale =
        c.is_none(n->input(2)) ? c.b.initializer(c.b.fresh("const"), torch::ones(shape)) : c.tensor(n->input(2));
    std::vector<std::string> ins{x, scale};
    if (!c.is_none(n->input(3))) ins.push_back(c.tensor(n->input(3)));
    c.set_tensor(n->output(), c.b.op("LayerNormalization", ins, [&](onnx::NodeProto& p) {
      set_int(p, "axis", -k);
      set_float(p, "epsilon", eps);
    }));
    return;
  }
  std::vector<int64_t> axes;
  for (int64_t i = -k; i < 0; ++i) axes.push_back(i);
  std::string y = normalize(c, x, axes, eps, elem);
  if (!c.is_none(n->input(2))) y = c.b.op("Mul", {y, c.tensor(n->input(2))});
  if (!c.is_none(n->input(3))) y = c.b.op("Add", {y, c.tensor(n->input(3))});
  c.set_tensor(n->output(), y);
}

void group_norm(C& c, N n) {
  // group_norm(input, num_groups, weight, bias, eps, cudnn): [N, C, ...] -> [N, G, -1],
  // normalised over the last axis, back to [N, C, ...], then per-channel affine.
  const auto sizes = c.traced_sizes(n->input(0));
  const int64_t groups = c.static_int(n->input(1));
  const double eps = c.static_double(n->input(4));
  const std::string x = c.tensor(n->input(0));
  const std::string grouped = c.b.op("Reshape", {x, c.b.ints({0, groups, -1})});
  const std::string y = normalize(c, grouped, {2}, eps, c.elem_of(n->input(0)));
  std::string out = c.b.op("Reshape", {y, c.b.op("Shape", {x})});
  std::vector<int64_t> affine_shape{sizes.at(1)};
  for (size_t i = 2; i < sizes.size(); ++i) affine_shape.push_back(1);
  if (!c.is_none(n->input(2)))
    out = c.b.op("Mul", {out, c.b.op("Reshape", {c.tensor(n->input(2)), c.b.ints(affine_shape)})});
  if (!c.is_none(n->input(3)))
    out = c.b.op("Add", {out, c.b.op("Reshape", {c.tensor(n->input(3)), c.b.ints(affine_shape)})});
  c.set_tensor(n->output(), out);
}

void max_pool(C& c, N n) {
  // max_pool{1,2}d(input, kernel, stride, padding, dilation, ceil_mode)
  const int64_t dims = c.rank(n->input(0)) - 2;
  const auto kernel = spatial(c.static_ints(n->input(1)), dims);
  auto stride = spatial(c.static_ints(n->input(2)), dims);
  if (stride.empty()) stride = kernel;
  const auto padding = spatial(c.static_ints(n->input(3)), dims), dilation = spatial(c.static_ints(n->input(4)), dims);
  const bool ceil = c.static_bool(n->input(5));
  c.set_tensor(n->output(), c.b.op("MaxPool", {c.tensor(n->input(0))}, [&](onnx::NodeProto& p) {
    set_ints(p, "kernel_shape", kernel);
    set_ints(p, "strides", stride);
    set_ints(p, "pads", twice(padding));
    set_ints(p, "dilations", dilation);
    set_int(p, "ceil_mode", ceil ? 1 : 0);
  }));
}

void avg_pool(C& c, N n) {
  // avg_pool{1,2}d(input, kernel, stride, padding, ceil_mode, count_include_pad[, divisor])
  const int64_t dims = c.rank(n->input(0)) - 2;
  const auto kernel = spatial(c.static_ints(n->input(1)), dims);
  auto stride = spatial(c.static_ints(n->input(2)), dims);
  if (stride.empty()) stride = kernel;
  const auto padding = spatial(c.static_ints(n->input(3)), dims);
  if (n->inputs().size() > 6 && !c.is_none(n->input(6))) c.fail("divisor_override is not supported");
  c.set_tensor(n->output(), c.b.op("AveragePool", {c.tensor(n->input(0))}, [&](onnx::NodeProto& p) {
    set_ints(p, "kernel_shape", kernel);
    set_ints(p, "strides", stride);
    set_ints(p, "pads", twice(padding));
    set_int(p, "ceil_mode", c.static_bool(n->input(4)) ? 1 : 0);
    set_int(p, "count_include_pad", c.static_bool(n->input(5)) ? 1 : 0);
  }));
}

// The [in, out] matrix of adaptive average pooling along one axis: output i averages
// inputs [floor(i * in / out), ceil((i + 1) * in / out)), as LibTorch does.
torch::Tensor adaptive_average_matrix(int64_t in, int64_t out) {
  auto w = torch::zeros({in, out});
  for (int64_t i = 0; i < out; ++i) {
    const int64_t lo = (i * in) / out, hi = ((i + 1) * in + out - 1) / out;
    w.index_put_({torch::indexing::Slice(lo, hi), i}, 1.0 / static_cast<double>(hi - lo));
  }
  return w;
}

// adaptive average pooling over the last 1 or 2 axes: global when the output is 1, a
// plain pool when the sizes divide, else a product with constant averaging matrices.
void adaptive_avg_pool(C& c, N n) {
  auto out = c.static_ints(n->input(1));
  const auto in = c.traced_sizes(n->input(0));
  const size_t k = out.size();
  bool ones = true, divides = true;
  std::vector<int64_t> kernel, sizes;
  for (size_t i = 0; i < k; ++i) {
    const int64_t size = in[in.size() - k + i];
    if (out[i] <= 0) c.fail("output size must be > 0");
    sizes.push_back(size);
    ones = ones && out[i] == 1;
    divides = divides && size % out[i] == 0;
    kernel.push_back(divides ? size / out[i] : 1);
  }
  const std::string x = c.tensor(n->input(0));
  if (ones) return c.set_tensor(n->output(0), c.b.op("GlobalAveragePool", {x}));
  if (divides) {
    return c.set_tensor(n->output(0), c.b.op("AveragePool", {x}, [&](onnx::NodeProto& p) {
      set_ints(p, "kernel_shape", kernel);
      set_ints(p, "strides", kernel);
    }));
  }
  // [..., W] @ [W, oW]; for 2-D then [oH, H] @ [..., H, oW].
  std::string y = c.b.op(
      "MatMul", {x, c.b.initializer(c.b.fresh("adaptive_pool"), adaptive_average_matrix(sizes[k - 1], out[k - 1]))});
  if (k == 2) {
    y = c.b.op(
        "MatMul",
        {c.b.initializer(c.b.fresh("adaptive_pool"), adaptive_average_matrix(sizes[0], out[0]).t().contiguous()), y});
  } else if (k != 1) {
    c.fail("only 1-D and 2-D adaptive pooling are supported");
  }
  c.set_tensor(n->output(0), y);
}

std::vector<int64_t> reduce_axes(C& c, N n, size_t arg) {
  if (n->inputs().size() <= arg || c.is_none(n->input(arg))) return {};
  const auto iv = c.static_value(n->input(arg));
  return iv.isInt() ? std::vector<int64_t>{iv.toInt()} : iv.toIntVector();
}

// Reductions with axes as an attribute (opset <= 17: ReduceMean, ReduceMax, ...).
void reduce_attr(C& c, N n, const std::string& type, const std::vector<int64_t>& axes, bool keepdim) {
  c.set_tensor(n->output(0), c.b.op(type, {c.tensor(n->input(0))}, [&](onnx::NodeProto& p) {
    if (!axes.empty()) set_ints(p, "axes", axes);
    set_int(p, "keepdims", keepdim ? 1 : 0);
  }));
}

void slice(C& c, N n, int64_t dim, int64_t start, int64_t end, int64_t step) {
  c.set_tensor(n->output(), c.b.op("Slice", {c.tensor(n->input(0)), c.b.ints({start}), c.b.ints({end}), c.b.ints({dim}),
                                             c.b.ints({step})}));
}

void split(C& c, N n, const std::vector<int64_t>& sizes, int64_t dim) {
  Sym s;
  s.kind = Sym::kTensorList;
  s.names = c.b.op_n("Split", {c.tensor(n->input(0)), c.b.ints(sizes)}, static_cast<int>(sizes.size()),
                     [dim](onnx::NodeProto& p) { set_int(p, "axis", dim); });
  c.syms[n->output()] = std::move(s);
}

void chunk(C& c, N n) {
  const int64_t r = c.rank(n->input(0));
  const int64_t dim = c.dim_arg(n->input(2), r);
  const int64_t size = c.traced_sizes(n->input(0)).at(static_cast<size_t>(dim));
  const int64_t chunks = c.static_int(n->input(1));
  const int64_t each = (size + chunks - 1) / chunks;
  std::vector<int64_t> sizes;
  for (int64_t left = size; left > 0; left -= each) sizes.push_back(std::min(each, left));
  split(c, n, sizes, dim);
}

// A tensor of `v` with the shape (and, unless given, the element type) of `like`.
void filled_like(C& c, N n, const jit::Value* like, double v) {
  const int32_t elem = c.elem_of(n->output());
  c.set_tensor(n->output(), c.b.op("Expand", {c.b.scalar(v, elem), c.b.op("Shape", {c.tensor(like)})}));
}

void upsample(C& c, N n, const std::string& mode) {
  const auto in = c.traced_sizes(n->input(0));
  const auto out = c.traced_sizes(n->output());
  const bool align = mode == "linear" && c.static_bool(n->input(2));
  // Scale factors as given to torch when present (torch uses them for the source index).
  std::vector<float> scales{1.0F, 1.0F};
  const jit::Value* factors = n->inputs().size() == 4 ? n->input(3) : nullptr;
  const auto fv = factors != nullptr && !c.is_none(factors) ? c.static_value(factors) : c10::IValue();
  for (size_t d = 2; d < in.size(); ++d) {
    scales.push_back(fv.isDoubleList() ? static_cast<float>(fv.toDoubleVector().at(d - 2))
                                       : static_cast<float>(out[d]) / static_cast<float>(in[d]));
  }
  const std::string scale_name = c.b.initializer(c.b.fresh("scales"), torch::tensor(scales));
  c.set_tensor(n->output(), c.b.op("Resize", {c.tensor(n->input(0)), "", scale_name}, [&](onnx::NodeProto& p) {
    set_string(p, "mode", mode);
    if (mode == "linear") {
      set_string(p, "coordinate_transformation_mode", align ? "align_corners" : "pytorch_half_pixel");
    } else {
      set_string(p, "coordinate_transformation_mode", "asymmetric");
      set_string(p, "nearest_mode", "floor");
    }
  }));
}

void gelu(C& c, N n) {
  const int32_t elem = c.elem_of(n->input(0));
  const std::string x = c.tensor(n->input(0));
  const std::string approx = n->inputs().size() > 1 ? c.static_value(n->input(1)).toStringRef() : "none";
  std::string inner;
  if (approx == "tanh") {
    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    const std::string x3 = c.b.op("Mul", {c.b.op("Mul", {x, x}), x});
    const std::string u = c.b.op("Mul", {c.b.op("Add", {x, c.b.op("Mul", {x3, c.b.scalar(0.044715, elem)})}),
                                         c.b.scalar(std::sqrt(2.0 / M_PI), elem)});
    inner = c.b.op("Tanh", {u});
  } else {
    inner = c.b.op("Erf", {c.b.op("Div", {x, c.b.scalar(std::sqrt(2.0), elem)})});
  }
  const std::string one_plus = c.b.op("Add", {inner, c.b.scalar(1.0, elem)});
  c.set_tensor(n->output(), c.b.op("Mul", {c.b.op("Mul", {x, c.b.scalar(0.5, elem)}), one_plus}));
}

std::map<std::string, OpFn> build_table() {
  std::map<std::string, OpFn> t;
  unary(t, "relu", "Relu");
  unary(t, "relu_", "Relu");
  unary(t, "sigmoid", "Sigmoid");
  unary(t, "tanh", "Tanh");
  unary(t, "exp", "Exp");
  unary(t, "log", "Log");
  unary(t, "sqrt", "Sqrt");
  unary(t, "abs", "Abs");
  unary(t, "neg", "Neg");
  unary(t, "erf", "Erf");
  unary(t, "reciprocal", "Reciprocal");
  unary(t, "isnan", "IsNaN");
  unary(t, "logical_not", "Not");
  t["aten::matmul"] = [](C& c, N n) { c.simple(n, "MatMul", 2); };
  t["aten::bmm"] = t["aten::matmul"];
  t["aten::logical_or"] = [](C& c, N n) { c.simple(n, "Or", 2); };
  t["aten::logical_and"] = [](C& c, N n) { c.simple(n, "And", 2); };
  t["aten::gelu"] = gelu;
  t["aten::relu6"] = [](C& c, N n) {
    const int32_t e = c.elem_of(n->input(0));
    c.set_tensor(n->output(), c.b.op("Clip", {c.tensor(n->input(0)), c.b.scalar(0, e), c.b.scalar(6, e)}));
  };
  t["aten::hardtanh"] = [](C& c, N n) {
    const int32_t e = c.elem_of(n->input(0));
    c.set_tensor(n->output(), c.b.op("Clip", {c.tensor(n->input(0)), c.b.scalar(c.static_double(n->input(1)), e),
                                              c.b.scalar(c.static_double(n->input(2)), e)}));
  };
  t["aten::clamp"] = [](C& c, N n) {
    const int32_t e = c.elem_of(n->input(0));
    const std::string lo = c.is_none(n->input(1)) ? "" : c.b.scalar(c.static_double(n->input(1)), e);
    const std::string hi = c.is_none(n->input(2)) ? "" : c.b.scalar(c.static_double(n->input(2)), e);
    c.set_tensor(n->output(), c.b.op("Clip", {c.tensor(n->input(0)), lo, hi}));
  };
  t["aten::pow"] = [](C& c, N n) { binary(c, n, "Pow"); };
  for (const char* op : {"add", "add_"}) t[std::string("aten::") + op] = [](C& c, N n) { binary(c, n, "Add"); };
  for (const char* op : {"sub", "sub_"}) t[std::string("aten::") + op] = [](C& c, N n) { binary(c, n, "Sub"); };
  for (const char* op : {"mul", "mul_"}) t[std::string("aten::") + op] = [](C& c, N n) { binary(c, n, "Mul"); };
  for (const char* op : {"div", "div_"}) {
    t[std::string("aten::") + op] = [](C& c, N n) {
      if (n->inputs().size() > 2 && !c.is_none(n->input(2))) c.fail("rounding_mode is not supported");
      binary(c, n, "Div");
    };
  }
  t["aten::rsub"] = [](C& c, N n) { binary(c, n, "Sub", true); };
  compare(t, "lt", "Less");
  compare(t, "le", "LessOrEqual");
  compare(t, "gt", "Greater");
  compare(t, "ge", "GreaterOrEqual");
  compare(t, "eq", "Equal");
  t["aten::where"] = [](C& c, N n) {
    const int32_t e = c.elem_of(n->output());
    c.set_tensor(n->output(),
                 c.b.op("Where", {c.tensor(n->input(0)), c.tensor(n->input(1), e), c.tensor(n->input(2), e)}));
  };
  t["aten::_convolution"] = convolution;
  t["aten::batch_norm"] = batch_norm;
  t["aten::layer_norm"] = layer_norm;
  t["aten::group_norm"] = group_norm;
  t["aten::max_pool1d"] = max_pool;
  t["aten::max_pool2d"] = max_pool;
  t["aten::avg_pool1d"] = avg_pool;
  t["aten::avg_pool2d"] = avg_pool;
  t["aten::adaptive_avg_pool1d"] = adaptive_avg_pool;
  t["aten::adaptive_avg_pool2d"] = adaptive_avg_pool;
  t["aten::upsample_bilinear2d"] = [](C& c, N n) { upsample(c, n, "linear"); };
  t["aten::upsample_nearest2d"] = [](C& c, N n) { upsample(c, n, "nearest"); };
  t["aten::softmax"] = [](C& c, N n) {
    const int64_t axis = c.static_int(n->input(1));
    c.set_tensor(n->output(),
                 c.b.op("Softmax", {c.tensor(n->input(0))}, [axis](onnx::NodeProto& p) { set_int(p, "axis", axis); }));
  };
  t["aten::log_softmax"] = [](C& c, N n) {
    const int64_t axis = c.static_int(n->input(1));
    c.set_tensor(n->output(), c.b.op("LogSoftmax", {c.tensor(n->input(0))},
                                     [axis](onnx::NodeProto& p) { set_int(p, "axis", axis); }));
  };
  t["aten::addmm"] = [](C& c, N n) {
    // addmm(bias, a, b, beta, alpha) = beta * bias + alpha * a @ b
    const double beta = c.static_double(n->input(3)), alpha = c.static_double(n->input(4));
    c.set_tensor(n->output(), c.b.op("Gemm", {c.tensor(n->input(1)), c.tensor(n->input(2)), c.tensor(n->input(0))},
                                     [&](onnx::NodeProto& p) {
                                       set_float(p, "alpha", alpha);
                                       set_float(p, "beta", beta);
                                     }));
  };
  t["aten::linear"] = [](C& c, N n) {
    std::string y = c.b.op("MatMul", {c.tensor(n->input(0)), c.b.op("Transpose", {c.tensor(n->input(1))})});
    if (!c.is_none(n->input(2))) y = c.b.op("Add", {y, c.tensor(n->input(2))});
    c.set_tensor(n->output(), y);
  };
  t["aten::t"] = [](C& c, N n) {
    if (c.rank(n->input(0)) < 2) return c.alias(n->output(), n->input(0));
    c.set_tensor(n->output(), c.b.op("Transpose", {c.tensor(n->input(0))}, [](onnx::NodeProto& p) {
      set_ints(p, "perm", {1, 0});
    }));
  };
  t["aten::transpose"] = [](C& c, N n) {
    const int64_t r = c.rank(n->input(0));
    std::vector<int64_t> perm(static_cast<size_t>(r));
    for (int64_t i = 0; i < r; ++i) perm[static_cast<size_t>(i)] = i;
    std::swap(perm[static_cast<size_t>(c.dim_arg(n->input(1), r))],
              perm[static_cast<size_t>(c.dim_arg(n->input(2), r))]);
    c.set_tensor(n->output(),
                 c.b.op("Transpose", {c.tensor(n->input(0))}, [&](onnx::NodeProto& p) { set_ints(p, "perm", perm); }));
  };
  t["aten::permute"] = [](C& c, N n) {
    const int64_t r = c.rank(n->input(0));
    auto perm = c.static_ints(n->input(1));
    for (auto& d : perm) d = d < 0 ? d + r : d;
    c.set_tensor(n->output(),
                 c.b.op("Transpose", {c.tensor(n->input(0))}, [&](onnx::NodeProto& p) { set_ints(p, "perm", perm); }));
  };
  for (const char* op : {"view", "reshape"}) {
    t[std::string("aten::") + op] = [](C& c, N n) {
      c.set_tensor(n->output(), c.b.op("Reshape", {c.tensor(n->input(0)), c.int_list(n->input(1))}));
    };
  }
  t["aten::flatten"] = [](C& c, N n) {
    const int64_t r = c.rank(n->input(0));
    if (r == 0) return c.set_tensor(n->output(), c.b.op("Reshape", {c.tensor(n->input(0)), c.b.ints({1})}));
    const int64_t start = c.dim_arg(n->input(1), r), end = c.dim_arg(n->input(2), r);
    const auto sizes = c.traced_sizes(n->input(0));
    std::vector<int64_t> shape;
    for (int64_t i = 0; i < start; ++i) shape.push_back(0);  // copied from the input (the batch stays dynamic)
    shape.push_back(-1);
    for (int64_t i = end + 1; i < r; ++i) shape.push_back(sizes[static_cast<size_t>(i)]);
    c.set_tensor(n->output(), c.b.op("Reshape", {c.tensor(n->input(0)), c.b.ints(shape)}));
  };
  t["aten::squeeze"] = [](C& c, N n) {
    const int64_t r = c.rank(n->input(0));
    const auto sizes = c.traced_sizes(n->input(0));
    std::vector<int64_t> axes;
    if (n->inputs().size() > 1) {
      const int64_t d = c.dim_arg(n->input(1), r);
      if (sizes[static_cast<size_t>(d)] != 1) return c.alias(n->output(), n->input(0));  // torch: a no-op
      axes.push_back(d);
    } else {
      for (int64_t d = c.opts.dynamic_batch ? 1 : 0; d < r; ++d)
        if (sizes[static_cast<size_t>(d)] == 1) axes.push_back(d);
    }
    c.set_tensor(n->output(), c.b.op("Squeeze", {c.tensor(n->input(0)), c.b.ints(axes)}));
  };
  t["aten::unsqueeze"] = [](C& c, N n) {
    const int64_t d = c.dim_arg(n->input(1), c.rank(n->input(0)) + 1);
    c.set_tensor(n->output(), c.b.op("Unsqueeze", {c.tensor(n->input(0)), c.b.ints({d})}));
  };
  t["aten::expand"] = [](C& c, N n) {
    // torch's -1 keeps a dimension; ONNX Expand broadcasts, where 1 does the same.
    const std::string shape = c.int_list(n->input(1), [](size_t, int64_t v) { return v == -1 ? int64_t{1} : v; });
    if (c.sym(n->input(1)).kind == Sym::kTensor) {
      // computed sizes: map -1 -> 1 at run time, max(v, 1) (sizes are never 0 here).
      const std::string fixed = c.b.op("Max", {shape, c.b.ints({1})});
      return c.set_tensor(n->output(), c.b.op("Expand", {c.tensor(n->input(0)), fixed}));
    }
    c.set_tensor(n->output(), c.b.op("Expand", {c.tensor(n->input(0)), shape}));
  };
  t["aten::expand_as"] = [](C& c, N n) {
    c.set_tensor(n->output(), c.b.op("Expand", {c.tensor(n->input(0)), c.b.op("Shape", {c.tensor(n->input(1))})}));
  };
  t["aten::narrow"] = [](C& c, N n) {
    const int64_t r = c.rank(n->input(0));
    const int64_t start = c.static_int(n->input(2));
    slice(c, n, c.dim_arg(n->input(1), r), start, start + c.static_int(n->input(3)), 1);
  };
  t["aten::slice"] = [](C& c, N n) {
    const int64_t r = c.rank(n->input(0));
    const int64_t start = c.is_none(n->input(2)) ? 0 : c.static_int(n->input(2));
    const int64_t end = c.is_none(n->input(3)) ? std::numeric_limits<int64_t>::max() : c.static_int(n->input(3));
    slice(c, n, c.dim_arg(n->input(1), r), start, end, c.static_int(n->input(4)));
  };
  t["aten::select"] = [](C& c, N n) {
    const int64_t d = c.dim_arg(n->input(1), c.rank(n->input(0)));
    c.set_tensor(n->output(), c.b.op("Gather", {c.tensor(n->input(0)), c.b.ints({c.static_int(n->input(2))}, true)},
                                     [d](onnx::NodeProto& p) { set_int(p, "axis", d); }));
  };
  t["aten::cat"] = [](C& c, N n) {
    const Sym& s = c.sym(n->input(0));
    if (s.kind != Sym::kTensorList) c.fail("expects a list of tensors");
    const int64_t axis = c.static_int(n->input(1));
    c.set_tensor(n->output(), c.b.op("Concat", s.names, [axis](onnx::NodeProto& p) { set_int(p, "axis", axis); }));
  };
  t["aten::stack"] = [](C& c, N n) {
    const Sym& s = c.sym(n->input(0));
    if (s.kind != Sym::kTensorList) c.fail("expects a list of tensors");
    const int64_t d = c.dim_arg(n->input(1), c.rank(n->output()));
    std::vector<std::string> parts;
    for (const auto& x : s.names) parts.push_back(c.b.op("Unsqueeze", {x, c.b.ints({d})}));
    c.set_tensor(n->output(), c.b.op("Concat", parts, [d](onnx::NodeProto& p) { set_int(p, "axis", d); }));
  };
  t["aten::chunk"] = chunk;
  t["aten::unsafe_chunk"] = chunk;
  t["aten::split_with_sizes"] = [](C& c, N n) {
    split(c, n, c.static_ints(n->input(1)), c.dim_arg(n->input(2), c.rank(n->input(0))));
  };
  for (const char* op : {"contiguous", "clone", "detach", "alias"})
    t[std::string("aten::") + op] = [](C& c, N n) { c.alias(n->output(), n->input(0)); };
  for (const char* op : {"dropout", "feature_dropout", "alpha_dropout"}) {
    t[std::string("aten::") + op] = [](C& c, N n) {
      if (c.static_bool(n->input(2))) c.fail("dropout in training mode cannot be exported");
      c.alias(n->output(), n->input(0));
    };
  }
  t["aten::to"] = [](C& c, N n) {
    const int32_t to = c.elem_of(n->output());
    if (c.elem_sym(n->input(0)) == to) return c.alias(n->output(), n->input(0));
    c.set_tensor(n->output(),
                 c.b.op("Cast", {c.tensor(n->input(0))}, [to](onnx::NodeProto& p) { set_int(p, "to", to); }));
  };
  t["aten::type_as"] = t["aten::to"];
  t["aten::zeros_like"] = [](C& c, N n) { filled_like(c, n, n->input(0), 0.0); };
  t["aten::empty_like"] = t["aten::zeros_like"];  // the values are written next (fill_, copy_)
  t["aten::ones_like"] = [](C& c, N n) { filled_like(c, n, n->input(0), 1.0); };
  t["aten::full_like"] = [](C& c, N n) { filled_like(c, n, n->input(0), c.static_double(n->input(1))); };
  t["aten::fill_"] = [](C& c, N n) { filled_like(c, n, n->input(0), c.static_double(n->input(1))); };
  auto constant_of_shape = [](C& c, N n, double v) {
    const int32_t elem = c.elem_of(n->output());
    c.set_tensor(n->output(), c.b.op("ConstantOfShape", {c.int_list(n->input(0))},
                                     [&](onnx::NodeProto& p) { set_scalar_tensor(p, "value", v, elem); }));
  };
  t["aten::zeros"] = [constant_of_shape](C& c, N n) { constant_of_shape(c, n, 0.0); };
  t["aten::ones"] = [constant_of_shape](C& c, N n) { constant_of_shape(c, n, 1.0); };
  t["aten::full"] = [constant_of_shape](C& c, N n) { constant_of_shape(c, n, c.static_double(n->input(1))); };
  t["aten::scalar_tensor"] = [](C& c, N n) {
    c.set_tensor(n->output(), c.b.scalar(c.static_double(n->input(0)), c.elem_of(n->output())));
  };
  t["aten::arange"] = [](C& c, N n) {
    // arange(end, ...) | arange(start, end, ...) | arange(start, end, step, ...): all constant.
    const size_t k = n->inputs().size();
    const double start = k >= 6 ? c.static_double(n->input(0)) : 0.0;
    const double end = c.static_double(n->input(k >= 6 ? 1 : 0));
    const double step = k >= 7 ? c.static_double(n->input(2)) : 1.0;
    const auto dtype = *c.ttype(n->output())->scalarType();
    c.set_tensor(n->output(), c.b.initializer(c.b.fresh("arange"),
                                              torch::arange(start, end, step, torch::TensorOptions().dtype(dtype))));
  };
  t["aten::embedding"] = [](C& c, N n) {
    c.set_tensor(n->output(), c.b.op("Gather", {c.tensor(n->input(0)), c.tensor(n->input(1))},
                                     [](onnx::NodeProto& p) { set_int(p, "axis", 0); }));
  };
  t["aten::mean"] = [](C& c, N n) {
    const auto axes = reduce_axes(c, n, 1);
    reduce_attr(c, n, "ReduceMean", axes, axes.empty() ? false : c.static_bool(n->input(2)));
  };
  t["aten::cumsum"] = [](C& c, N n) {  // cumsum(x, dim, dtype)
    int64_t d = c.static_int(n->input(1));
    if (d < 0) d += c.rank(n->input(0));
    c.set_tensor(n->output(), c.b.op("CumSum", {c.tensor(n->input(0)),
                                                c.b.scalar(static_cast<double>(d), onnx::TensorProto::INT64)}));
  };
  t["aten::sum"] = [](C& c, N n) {
    const auto axes = reduce_axes(c, n, 1);
    const bool keep = axes.empty() ? false : c.static_bool(n->input(2));
    std::vector<std::string> ins{c.tensor(n->input(0))};
    if (!axes.empty()) ins.push_back(c.b.ints(axes));
    c.set_tensor(n->output(),
                 c.b.op("ReduceSum", ins, [keep](onnx::NodeProto& p) { set_int(p, "keepdims", keep ? 1 : 0); }));
  };
  t["aten::amax"] = [](C& c, N n) { reduce_attr(c, n, "ReduceMax", reduce_axes(c, n, 1), c.static_bool(n->input(2))); };
  t["aten::max"] = [](C& c, N n) {
    if (n->inputs().size() == 1) return reduce_attr(c, n, "ReduceMax", {}, false);
    if (n->inputs().size() == 2) return c.simple(n, "Max", 2);  // elementwise
    // max(x, dim, keepdim) -> (values, indices)
    const int64_t d = c.static_int(n->input(1));
    const bool keep = c.static_bool(n->input(2));
    reduce_attr(c, n, "ReduceMax", {d}, keep);
    if (n->outputs().size() > 1 && n->output(1)->hasUses()) {
      c.set_tensor(n->output(1), c.b.op("ArgMax", {c.tensor(n->input(0))}, [&](onnx::NodeProto& p) {
        set_int(p, "axis", d);
        set_int(p, "keepdims", keep ? 1 : 0);
      }));
    }
  };
  t["aten::size"] = [](C& c, N n) {
    const int64_t d = c.static_int(n->input(1));
    c.set_tensor(n->output(),
                 c.b.op("Gather", {c.b.op("Shape", {c.tensor(n->input(0))}), c.b.ints({d}, true)},
                        [](onnx::NodeProto& p) { set_int(p, "axis", 0); }),
                 TensorProto::INT64);
  };
  for (const char* op : {"Int", "ScalarImplicit"})
    t[std::string("aten::") + op] = [](C& c, N n) { c.alias(n->output(), n->input(0)); };
  t["prim::NumToTensor"] = [](C& c, N n) { c.alias(n->output(), n->input(0)); };
  return t;
}

const std::map<std::string, OpFn>& op_table() {
  static const std::map<std::string, OpFn> table = build_table();
  return table;
}

}  // namespace

std::vector<std::string> supported_aten_ops() {
  std::vector<std::string> names;
  for (const auto& kv : op_table()) names.push_back(kv.first);
  return names;
}

onnx::ModelProto to_onnx(const torch::jit::Module& traced, const OnnxOptions& options) {
  ECG_CHECK(options.opset >= kMinOpset && options.opset <= kMaxOpset, "export onnx: --opset must be in [", kMinOpset,
            ", ", kMaxOpset, "], got ", options.opset);
  onnx::ModelProto m;
  m.set_ir_version(onnx::IR_VERSION);
  m.set_producer_name("ecgtorch");
  m.set_producer_version(options.producer_version);
  auto* opset = m.add_opset_import();
  opset->set_domain("");
  opset->set_version(options.opset);
  for (const auto& kv : options.metadata) {
    auto* p = m.add_metadata_props();
    p->set_key(kv.first);
    p->set_value(kv.second);
  }
  onnx::GraphProto* g = m.mutable_graph();
  g->set_name("ecgtorch");
  Converter c(g, options);
  c.b_graph = g;
  for (const auto& p : traced.named_parameters(true)) c.tensors[p.name] = p.value;
  for (const auto& p : traced.named_buffers(true)) c.tensors[p.name] = p.value;
  // Parameters keep their module paths as initializer names: reserve them first.
  for (const auto& kv : c.tensors) c.b.fresh(kv.first);
  const auto graph = forward_graph(traced);
  c.convert(*graph);
  return m;
}

void check_onnx(const onnx::ModelProto& model) {
  try {
    onnx::checker::check_model(model);
    onnx::ModelProto copy = model;
    onnx::shape_inference::InferShapes(copy, onnx::OpSchemaRegistry::Instance(),
                                       onnx::ShapeInferenceOptions(/*check_type=*/true, /*error_mode=*/1,
                                                                   /*enable_data_propagation=*/false));
  } catch (const std::exception& e) {
    std::string msg = e.what();
    for (auto& ch : msg)
      if (ch == '\n') ch = ' ';
    throw Error("export onnx: the model does not pass the ONNX checker: " + msg);
  }
}

void save_onnx(const onnx::ModelProto& model, const std::filesystem::path& path) {
  std::string bytes;
  ECG_CHECK(model.SerializeToString(&bytes), path.string(), ": cannot serialise the ONNX model");
  write_file_atomic(path, bytes);
}

onnx::ModelProto load_onnx(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  ECG_CHECK(f.good(), path.string(), ": cannot open");
  onnx::ModelProto m;
  ECG_CHECK(m.ParseFromIstream(&f), path.string(), ": not an ONNX model (protobuf parse failed)");
  return m;
}

}  // namespace ecg::exporting
