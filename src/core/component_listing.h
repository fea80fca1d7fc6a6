#pragma once
// Text and JSON listings of registered components for `ecgtorch list`: each name with
// its one-line summary and its options (type, default, help).

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config_schema.h"

namespace ecg {

struct ComponentInfo {
  std::string name;
  std::string summary;
  std::shared_ptr<const config::Schema> schema;
};

/// "  mse        mean squared error   reduction=mean" per component under a title line;
/// with `verbose`, one line per option with its type and help.
std::string format_components(const std::string& title, const std::vector<ComponentInfo>& items, bool verbose);

/// [{"name", "summary", "options": [{"name", "type", "default", "required", "help"}]}]
nlohmann::json components_json(const std::vector<ComponentInfo>& items);

/// An option's default as one line of YAML ("???" when required, "-" when none).
std::string default_text(const config::FieldSpec& f);

}  // namespace ecg
