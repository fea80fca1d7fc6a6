#include "core/component_listing.h"

#include <algorithm>

#include "core/error.h"
#include "core/strings.h"
#include "core/yaml_io.h"

namespace ecg {

std::string default_text(const config::FieldSpec& f) {
  if (f.required) return "???";
  if (!f.default_value) return "-";
  return config::to_yaml_flow(*f.default_value);
}

std::string format_components(const std::string& title, const std::vector<ComponentInfo>& items, bool verbose) {
  std::string out = str(title, " (", items.size(), "):\n");
  if (items.empty()) return out + "  none registered in this build\n";
  size_t name_w = 0, summary_w = 0;
  for (const auto& i : items) {
    name_w = std::max(name_w, i.name.size());
    summary_w = std::max(summary_w, i.summary.size());
  }
  for (const auto& i : items) {
    std::vector<std::string> opts;
    for (const auto& f : i.schema->fields()) opts.push_back(f.name + "=" + default_text(f));
    std::string line = "  " + i.name + std::string(name_w - i.name.size() + 2, ' ') + i.summary;
    if (!opts.empty()) line += std::string(summary_w - i.summary.size() + 2, ' ') + join(opts, " ");
    out += line + "\n";
    if (!verbose) continue;
    for (const auto& f : i.schema->fields()) {
      out += str("      ", f.name, ": ", config::value_type_name(f.type), f.nullable ? " or null" : "", " = ",
                 default_text(f), "  ", f.help);
      if (!f.choices.empty()) out += " [" + join(f.choices, "|") + "]";
      out += "\n";
    }
  }
  return out;
}

nlohmann::json components_json(const std::vector<ComponentInfo>& items) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& i : items) {
    nlohmann::json opts = nlohmann::json::array();
    for (const auto& f : i.schema->fields()) {
      opts.push_back({{"name", f.name},
                      {"type", config::value_type_name(f.type)},
                      {"default", default_text(f)},
                      {"required", f.required},
                      {"nullable", f.nullable},
                      {"help", f.help}});
    }
    arr.push_back({{"name", i.name}, {"summary", i.summary}, {"options", opts}});
  }
  return arr;
}

}  // namespace ecg
