#include "render/artefact.h"

#include "core/error.h"
#include "core/strings.h"
#include "render/artefact_util.h"

namespace ecg::render {

void register_builtin_artefacts(ArtefactRegistry& registry) {
  register_scanner_artefacts(registry);
  register_handling_artefacts(registry);
  register_photo_artefacts(registry);
}

ArtefactPipeline::ArtefactPipeline(const ArtefactRegistry& registry, const config::ConfigNode& list,
                                   const std::string& path) {
  if (list.is_null()) return;
  ECG_CHECK(list.is_sequence(), list.loc().str(), ": ", path, ": expected a list of {name: <artefact>, ...}, got a ",
            list.kind_name());
  for (size_t i = 0; i < list.elements().size(); ++i) {
    const auto& item = list.elements()[i];
    const std::string where = str(path, ".", i);
    auto artefact = registry.create(item, where);
    items_.emplace_back(item.is_map() && item.has("name") ? item.at("name").text() : item.text(), artefact);
  }
}

void ArtefactPipeline::apply(Page& page, uint64_t seed) const {
  // Each artefact draws from its own stream, so adding one does not change the others.
  for (size_t i = 0; i < items_.size(); ++i) {
    std::mt19937_64 rng(seed ^ (0x9E3779B97F4A7C15ULL * (i + 1)));
    if (detail::uniform(rng, 0, 1) >= items_[i].second->probability()) continue;
    items_[i].second->apply(page, rng);
  }
}

}  // namespace ecg::render
