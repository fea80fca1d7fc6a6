#include "export/trace.h"

#include <torch/csrc/jit/frontend/tracer.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>
#include <torch/torch.h>

#include <deque>
#include <set>

#include "core/error.h"

namespace ecg::exporting {
namespace {

namespace jit = torch::jit;

// A jit::Module tree with the same parameters, buffers and children as `m`.
jit::Module mirror(const torch::nn::Module& m, const std::string& type_name,
                   const std::shared_ptr<jit::CompilationUnit>& cu) {
  jit::Module jm(c10::QualifiedName("__torch__.ecgtorch." + type_name), cu, /*shouldMangle=*/true);
  jm.register_attribute("training", c10::BoolType::get(), false);
  for (const auto& p : m.named_parameters(false)) jm.register_parameter(p.key(), p.value(), false);
  for (const auto& b : m.named_buffers(false)) jm.register_buffer(b.key(), b.value());
  for (const auto& c : m.named_children())
    jm.register_module(c.key(), mirror(*c.value(), type_name + "_" + c.key(), cu));
  return jm;
}

// Rows 0 .. n-1 of `x`, cycling through its batch.
torch::Tensor with_batch(const torch::Tensor& x, int64_t n) {
  return x.index_select(0, torch::arange(n) % x.size(0)).clone();
}

struct Traced {
  std::shared_ptr<jit::Graph> graph;
  std::vector<jit::Node*> nodes;  // top-level nodes, in order
};

Traced trace_once(models::EcgModel& model, jit::Module& self, const std::vector<torch::Tensor>& inputs) {
  jit::Stack stack;
  for (const auto& t : inputs) stack.emplace_back(t);
  std::vector<std::string> names = model.input_names();
  std::pair<std::shared_ptr<jit::tracer::TracingState>, jit::Stack> r;
  try {
    r = jit::tracer::trace(
        std::move(stack),
        [&model](jit::Stack in) -> jit::Stack {
          std::vector<torch::Tensor> xs;
          for (auto& v : in) xs.push_back(v.toTensor());
          return {model.forward_inputs(xs)};
        },
        [](const torch::autograd::Variable&) { return std::string(); }, /*strict=*/false, /*force_outplace=*/false,
        &self, names);
  } catch (const c10::Error& e) {
    throw Error(std::string("export: tracing failed: ") + e.what_without_backtrace());
  }
  Traced t{r.first->graph, {}};
  for (auto* n : t.graph->nodes()) t.nodes.push_back(n);
  return t;
}

std::string describe_use(const jit::Node* constant) {
  std::string s;
  for (const auto& u : constant->output()->uses()) {
    if (!s.empty()) s += ", ";
    s += std::string(u.user->kind().toQualString()) + " (module " + module_path_of(u.user) + ")";
  }
  return s.empty() ? "nothing" : s;
}

// Replaces the integer constants of `a` that change with the batch by expressions of the
// first input's size(0). b: batches of the three traces.
void make_batch_dynamic(Traced& a, const Traced& b, const Traced& c, const int64_t (&batch)[3]) {
  ECG_CHECK(a.nodes.size() == b.nodes.size() && a.nodes.size() == c.nodes.size(),
            "export: the traced graph changes with the batch size (", a.nodes.size(), " vs ", b.nodes.size(),
            " nodes); the model branches on the batch and cannot have a dynamic batch (export without it)");
  jit::Graph& g = *a.graph;
  jit::Value* size0 = nullptr;
  auto batch_value = [&]() {
    if (size0 == nullptr) {
      jit::WithInsertPoint guard(g.block()->nodes().front());
      size0 = g.insert(c10::Symbol::aten("size"), {g.inputs().at(1), int64_t{0}});
    }
    return size0;
  };
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    jit::Node* na = a.nodes[i];
    const jit::Node* nb = b.nodes[i];
    const jit::Node* nc = c.nodes[i];
    ECG_CHECK(na->kind() == nb->kind() && na->kind() == nc->kind(),
              "export: the traced graph changes with the batch size at node ", i, " (", na->kind().toQualString(),
              " vs ", nb->kind().toQualString(), "); the model cannot have a dynamic batch (export without it)");
    if (na->kind() != c10::prim::Constant || na->outputs().size() != 1) continue;
    const auto va = jit::toIValue(na->output()), vb = jit::toIValue(nb->output()), vc = jit::toIValue(nc->output());
    if (!va || !vb || !vc) continue;
    std::vector<int64_t> xa, xb, xc;
    bool is_list = false;
    if (va->isInt() && vb->isInt() && vc->isInt()) {
      xa = {va->toInt()}, xb = {vb->toInt()}, xc = {vc->toInt()};
    } else if (va->isIntList() && vb->isIntList() && vc->isIntList()) {
      xa = va->toIntVector(), xb = vb->toIntVector(), xc = vc->toIntVector();
      is_list = true;
    } else if (va->isTensor() && vb->isTensor()) {
      const auto& ta = va->toTensor();
      const auto& tb = vb->toTensor();
      ECG_CHECK(ta.sizes() == tb.sizes() && torch::equal(ta, tb), "export: a tensor constant used by ",
                describe_use(na),
                " changes with the batch size; the model cannot have a dynamic batch (export without it)");
      continue;
    } else {
      ECG_CHECK(*va == *vb && *va == *vc, "export: a constant used by ", describe_use(na),
                " changes with the batch size; the model cannot have a dynamic batch (export without it)");
      continue;
    }
    if (xa == xb && xa == xc) continue;
    ECG_CHECK(xa.size() == xb.size() && xa.size() == xc.size(), "export: a size list used by ", describe_use(na),
              " changes length with the batch size; the model cannot have a dynamic batch");
    jit::WithInsertPoint guard(na);
    std::vector<jit::Value*> elems;
    for (size_t k = 0; k < xa.size(); ++k) {
      const int64_t slope = (xb[k] - xa[k]) / (batch[1] - batch[0]);
      const int64_t offset = xa[k] - slope * batch[0];
      ECG_CHECK(slope * (batch[1] - batch[0]) == xb[k] - xa[k] && slope * batch[2] + offset == xc[k],
                "export: a size used by ", describe_use(na), " is not affine in the batch size (", xa[k], ", ", xb[k],
                ", ", xc[k], " at batch ", batch[0], ", ", batch[1], ", ", batch[2],
                "); the model cannot have a dynamic batch");
      jit::Value* v = nullptr;
      if (slope == 0) {
        v = g.insertConstant(offset);
      } else {
        v = batch_value();
        if (slope != 1) v = g.insert(c10::Symbol::aten("mul"), {v, slope});
        if (offset != 0) v = g.insert(c10::Symbol::aten("add"), {v, offset});
      }
      elems.push_back(v);
    }
    jit::Value* replacement = is_list ? g.insertNode(g.createList(c10::IntType::get(), elems))->output() : elems[0];
    na->output()->replaceAllUsesWith(replacement);
  }
  jit::EliminateDeadCode(a.graph);
}

// Restores a module's training flag on scope exit.
struct ModeGuard {
  torch::nn::Module& m;
  bool was_training;
  explicit ModeGuard(torch::nn::Module& module) : m(module), was_training(module.is_training()) { m.eval(); }
  ~ModeGuard() { m.train(was_training); }
  ModeGuard(const ModeGuard&) = delete;
  ModeGuard& operator=(const ModeGuard&) = delete;
};

}  // namespace

torch::jit::Module trace_model(models::EcgModel& model, const std::vector<torch::Tensor>& examples,
                               const TraceOptions& options) {
  const auto names = model.input_names();
  ECG_CHECK(examples.size() == names.size(), "export: the model takes ", names.size(), " inputs, got ", examples.size(),
            " examples");
  ECG_CHECK(!examples.empty() && examples[0].dim() >= 1, "export: the first example needs a batch dimension");
  ModeGuard mode(model);
  torch::NoGradGuard no_grad;
  auto cu = std::make_shared<jit::CompilationUnit>();
  jit::Module self = mirror(model, "Model", cu);

  Traced traced;
  if (options.dynamic_batch) {
    const int64_t batch[3] = {2, 3, 5};
    std::vector<Traced> t;
    for (int64_t n : batch) {
      std::vector<torch::Tensor> xs;
      for (const auto& e : examples) xs.push_back(with_batch(e, n));
      t.push_back(trace_once(model, self, xs));
    }
    make_batch_dynamic(t[0], t[1], t[2], batch);
    traced = std::move(t[0]);
  } else {
    traced = trace_once(model, self, examples);
  }
  ECG_CHECK(traced.graph->outputs().size() == 1, "export: the model must return one tensor");
  for (size_t i = 0; i < names.size(); ++i) traced.graph->inputs().at(i + 1)->setDebugName(names[i]);
  auto fn = cu->create_function(c10::QualifiedName(*self.type()->name(), "forward"), traced.graph);
  self.type()->addMethod(fn);
  return self;
}

std::shared_ptr<torch::jit::Graph> forward_graph(const torch::jit::Module& traced) {
  return traced.get_method("forward").graph();
}

torch::Tensor run_traced(torch::jit::Module& traced, const std::vector<torch::Tensor>& inputs) {
  std::vector<c10::IValue> args(inputs.begin(), inputs.end());
  return traced.forward(args).toTensor();
}

std::string attribute_path(const torch::jit::Value* value) {
  std::vector<std::string> parts;
  const jit::Value* v = value;
  while (v->node()->kind() == c10::prim::GetAttr) {
    parts.push_back(v->node()->s(c10::attr::name));
    v = v->node()->input(0);
  }
  if (parts.empty() || v->node()->kind() != c10::prim::Param) return {};
  std::string path;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) path += (path.empty() ? "" : ".") + *it;
  return path;
}

std::string module_path_of(const torch::jit::Node* node) {
  std::deque<const jit::Node*> queue{node};
  std::set<const jit::Node*> seen{node};
  while (!queue.empty()) {
    const jit::Node* n = queue.front();
    queue.pop_front();
    for (const jit::Value* in : n->inputs()) {
      const std::string p = attribute_path(in);
      if (!p.empty()) {
        const auto dot = p.rfind('.');
        return dot == std::string::npos ? "<top level>" : p.substr(0, dot);
      }
    }
    for (const jit::Value* in : n->inputs()) {
      if (seen.insert(in->node()).second) queue.push_back(in->node());
    }
  }
  return "<top level>";
}

}  // namespace ecg::exporting
