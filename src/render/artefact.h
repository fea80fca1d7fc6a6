#pragma once
// Artefacts: seeded transforms of a rendered page that imitate scanners, printers,
// handling and phone photos. Each is registered by name with its options (YAML):
//
//   artefacts:
//     - {name: skew, p: 0.9, max_deg: 2}
//     - {name: jpeg, p: 0.7, quality: [40, 90]}
//
// `p` is the probability that the artefact is applied to a page; ranges [lo, hi] are
// drawn uniformly per page. Every geometric transform moves the ground truth with the
// image (homographies compose into truth.homography; lens, creases and wrinkles mark
// truth.nonlinear and move every point through the inverse of their remap). Each applied
// artefact appends {name, parameters drawn} to truth.artefacts.
// apply() is const and keeps no state, so one pipeline may serve many threads.

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/config_node.h"
#include "core/registry.h"
#include "render/page_renderer.h"

namespace ecg::render {

class Artefact {
 public:
  virtual ~Artefact() = default;
  /// The probability of being applied (the `p` option).
  virtual double probability() const = 0;
  virtual void apply(Page& page, std::mt19937_64& rng) const = 0;
};

using ArtefactRegistry = Registry<Artefact>;

/// Registers every built-in artefact (scanner, printer, handling and photo).
void register_builtin_artefacts(ArtefactRegistry& registry);
void register_scanner_artefacts(ArtefactRegistry& registry);
void register_handling_artefacts(ArtefactRegistry& registry);
void register_photo_artefacts(ArtefactRegistry& registry);

/// An ordered list of artefacts, each applied with its probability.
class ArtefactPipeline {
 public:
  ArtefactPipeline() = default;
  /// `list` is a config list of {name: ..., ...options}; `path` names it in errors.
  ArtefactPipeline(const ArtefactRegistry& registry, const config::ConfigNode& list, const std::string& path);
  /// Applies the artefacts in order; the draws depend only on `seed`.
  void apply(Page& page, uint64_t seed) const;
  size_t size() const { return items_.size(); }

 private:
  std::vector<std::pair<std::string, std::shared_ptr<Artefact>>> items_;
};

}  // namespace ecg::render
