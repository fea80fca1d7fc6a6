#include "train/loss_class_counts.h"

#include <string>

#include "data/datasets.h"

namespace ecg::train {

config::ConfigNode with_class_counts(const config::ConfigNode& loss, const data::Dataset& data,
                                     std::vector<int64_t>* used) {
  if (used != nullptr) used->clear();
  config::ConfigNode out = loss;
  auto* terms = out.find("terms");
  const auto* labelled = dynamic_cast<const data::LabelledDataset*>(&data);
  if (terms == nullptr || !terms->is_sequence() || labelled == nullptr) return out;
  const auto counts = labelled->class_counts();
  if (counts.empty()) return out;
  for (auto& term : terms->elements()) {
    const auto* name = term.is_map() ? term.find("name") : nullptr;
    if (name == nullptr || !name->is_scalar() || name->text() != "class_balanced" || term.has("samples_per_class"))
      continue;
    auto list = config::ConfigNode::sequence(term.loc());
    for (auto n : counts) list.push_back(config::ConfigNode::scalar(std::to_string(n), false, term.loc()));
    term.set("samples_per_class", std::move(list));
    if (used != nullptr) *used = counts;
  }
  return out;
}

}  // namespace ecg::train
