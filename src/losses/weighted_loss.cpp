#include "losses/weighted_loss.h"

#include <map>

#include "core/error.h"

namespace ecg::losses {

WeightedLoss::WeightedLoss(std::vector<Term> terms) : terms_(std::move(terms)) {
  ECG_CHECK(!terms_.empty(), "loss: at least one term is needed");
  for (size_t i = 0; i < terms_.size(); ++i) register_module("term" + std::to_string(i), terms_[i].loss);
}

torch::Tensor WeightedLoss::forward(const torch::Tensor& pred, const torch::Tensor& target) {
  torch::Tensor total;
  for (const auto& t : terms_) {
    const auto v = t.weight * t.loss->forward(pred, target);
    total = total.defined() ? total + v : v;
  }
  return total;
}

torch::Tensor WeightedLoss::forward_parts(const torch::Tensor& pred, const torch::Tensor& target,
                                          std::vector<std::pair<std::string, double>>& parts) {
  parts.clear();
  torch::Tensor total;
  for (const auto& t : terms_) {
    const auto v = t.loss->forward(pred, target);
    parts.emplace_back(t.name, v.detach().item<double>());
    total = total.defined() ? total + t.weight * v : t.weight * v;
  }
  return total;
}

void WeightedLoss::set_epoch(int64_t epoch) {
  for (auto& t : terms_) t.loss->set_epoch(epoch);
}

std::shared_ptr<const config::Schema> loss_section_schema(const LossRegistry& losses) {
  // Each term's schema: its loss's options plus `weight`.
  auto term_schemas = std::make_shared<std::map<std::string, std::shared_ptr<config::Schema>>>();
  for (const auto& info : losses.infos()) {
    auto s = std::make_shared<config::Schema>(*info.schema);
    config::FieldSpec w;
    w.name = "weight";
    w.type = config::ValueType::kFloat;
    w.help = "weight of this term in the sum";
    w.default_value = config::ConfigNode::scalar("1.0");
    s->add(w);
    (*term_schemas)[info.name] = s;
  }
  auto kind = std::make_shared<config::ComponentKind>();
  kind->kind = "loss";
  kind->find = [term_schemas](const std::string& name) -> const config::Schema* {
    auto it = term_schemas->find(name);
    return it == term_schemas->end() ? nullptr : it->second.get();
  };
  kind->names = [term_schemas] {
    std::vector<std::string> n;
    for (const auto& kv : *term_schemas) n.push_back(kv.first);
    return n;
  };
  auto section = std::make_shared<config::Schema>("the loss");
  config::FieldSpec terms;
  terms.name = "terms";
  terms.type = config::ValueType::kComponentList;
  terms.help = "weighted terms: [{name: <loss>, weight: 1, ...options}, ...]";
  terms.required = true;
  terms.component = kind;
  section->add(terms);
  return section;
}

std::shared_ptr<WeightedLoss> make_loss(const config::ConfigNode& section, const std::string& path,
                                        const LossRegistry& losses) {
  config::ConfigNode copy = section;
  loss_section_schema(losses)->normalize(copy, path);
  const auto& list = copy.at("terms");
  ECG_CHECK(list.size() > 0, list.loc().str(), ": ", path, ".terms: at least one term is needed");
  std::vector<WeightedLoss::Term> terms;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string p = config::child_path(path, "terms." + std::to_string(i));
    config::ConfigNode spec = list.elements()[i];
    const double weight = config::read_float(spec.at("weight"), p + ".weight");
    spec.erase("weight");
    terms.push_back(WeightedLoss::Term{spec.at("name").text(), weight, losses.create(spec, p)});
  }
  return std::make_shared<WeightedLoss>(std::move(terms));
}

}  // namespace ecg::losses
