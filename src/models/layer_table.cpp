#include "models/layer_table.h"

#include <torch/torch.h>

#include <algorithm>
#include <vector>

#include "core/strings.h"

namespace ecg::models {
namespace {

std::string short_type(std::string t) {
  for (const std::string prefix : {"torch::nn::", "ecg::models::"})
    if (t.rfind(prefix, 0) == 0) t = t.substr(prefix.size());
  if (t.size() > 4 && t.compare(t.size() - 4, 4, "Impl") == 0) t.resize(t.size() - 4);
  return t;
}

std::string shape_text(const torch::Tensor& t) {
  std::vector<std::string> d;
  for (int64_t s : t.sizes()) d.push_back(std::to_string(s));
  return "[" + join(d, "x") + "]";
}

}  // namespace

std::string layer_table(const torch::nn::Module& module) {
  struct Row {
    std::string path, type, shapes, params;
  };
  std::vector<Row> rows;
  int64_t total = 0;
  auto add = [&](const std::string& path, const torch::nn::Module& m) {
    std::vector<std::string> shapes;
    int64_t n = 0;
    for (const auto& p : m.named_parameters(/*recurse=*/false)) {
      shapes.push_back(p.key() + shape_text(p.value()));
      if (p.value().requires_grad()) n += p.value().numel();
    }
    for (const auto& b : m.named_buffers(/*recurse=*/false)) shapes.push_back(b.key() + shape_text(b.value()));
    if (shapes.empty()) return;
    total += n;
    rows.push_back({path, short_type(m.name()), join(shapes, " "), std::to_string(n)});
  };
  add("(root)", module);
  for (const auto& item : module.named_modules("", /*include_self=*/false)) add(item.key(), *item.value());
  size_t w[3] = {4, 4, 7};
  for (const auto& r : rows) {
    w[0] = std::max(w[0], r.path.size());
    w[1] = std::max(w[1], r.type.size());
    w[2] = std::max(w[2], r.shapes.size());
  }
  auto pad = [](const std::string& s, size_t n) { return s + std::string(n - s.size() + 2, ' '); };
  std::string out = "  " + pad("path", w[0]) + pad("type", w[1]) + pad("tensors", w[2]) + "params\n";
  for (const auto& r : rows)
    out += "  " + pad(r.path, w[0]) + pad(r.type, w[1]) + pad(r.shapes, w[2]) + r.params + "\n";
  out += "  total " + std::to_string(total) + " parameters\n";
  return out;
}

}  // namespace ecg::models
