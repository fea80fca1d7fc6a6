#include "core/config_compose.h"

#include <algorithm>
#include <set>

#include "core/config_schema.h"
#include "core/error.h"
#include "core/strings.h"
#include "core/yaml_io.h"

namespace fs = std::filesystem;

namespace ecg::config {
namespace {

std::string key_path_of_group(const std::string& group) {
  std::string out = group;
  std::replace(out.begin(), out.end(), '/', '.');
  return out;
}

class Composer {
 public:
  Composer(const std::vector<fs::path>& search_path, const std::vector<GroupChoice>& choices)
      : search_path_(search_path), choices_(choices), used_(choices.size(), false) {}

  ConfigNode run(const fs::path& primary) {
    ConfigNode out = compose_file(primary, /*group=*/"", /*is_primary=*/true);
    for (size_t i = 0; i < choices_.size(); ++i) {
      if (!used_[i]) {
        throw Error(str(choices_[i].source, ": no defaults list selects group '", choices_[i].group, "'; use +",
                        choices_[i].group, "=", choices_[i].option.value_or("null"), " to add it"));
      }
    }
    return out;
  }

 private:
  ConfigNode compose_file(const fs::path& path, const std::string& group, bool is_primary) {
    const fs::path canonical = fs::weakly_canonical(path);
    if (std::find(stack_.begin(), stack_.end(), canonical) != stack_.end()) {
      std::vector<std::string> chain;
      for (const auto& p : stack_) chain.push_back(p.string());
      chain.push_back(canonical.string());
      throw Error(str(path.string(), ": defaults cycle: ", join(chain, " -> ")));
    }
    stack_.push_back(canonical);
    ConfigNode self = load_yaml_file(path);
    if (!self.is_map()) fail_at(self, "", str("a config file must be a map, got a ", self.kind_name()));

    std::vector<ConfigNode> entries;
    if (const ConfigNode* d = self.find("defaults")) {
      if (!d->is_sequence()) fail_at(*d, "defaults", str("expected a list, got a ", d->kind_name()));
      entries = d->elements();
      self.erase("defaults");
    }
    if (is_primary) {
      for (size_t i = 0; i < choices_.size(); ++i) {
        if (!choices_[i].add) continue;
        used_[i] = true;
        ConfigNode e = ConfigNode::map(SourceLoc{choices_[i].source, 0, 0});
        e.set(choices_[i].group,
              choices_[i].option ? ConfigNode::scalar(*choices_[i].option, false, e.loc()) : ConfigNode::null(e.loc()));
        auto self_pos = std::find_if(entries.begin(), entries.end(),
                                     [](const ConfigNode& n) { return n.is_scalar() && n.text() == "_self_"; });
        entries.insert(self_pos, std::move(e));
      }
    }

    ConfigNode out = ConfigNode::map(self.loc());
    bool self_merged = false;
    for (const ConfigNode& entry : entries) {
      if (entry.is_scalar() && entry.text() == "_self_") {
        ECG_CHECK(!self_merged, entry.loc().str(), ": defaults: _self_ listed twice");
        out.merge_from(self);
        self_merged = true;
      } else if (entry.is_scalar()) {
        out.merge_from(compose_file(find_plain(entry, path), group, /*is_primary=*/false));
      } else if (entry.is_map() && entry.size() == 1) {
        merge_group(out, entry, group);
      } else {
        fail_at(entry, "defaults", "expected '- group: option', '- file' or '- _self_'");
      }
    }
    if (!self_merged) out.merge_from(self);
    stack_.pop_back();
    return out;
  }

  void merge_group(ConfigNode& out, const ConfigNode& entry, const std::string& parent_group) {
    const auto& e = entry.entries().front();
    std::string name = e.key;
    if (name.rfind("optional ", 0) == 0) name = name.substr(9);  // Hydra's spelling; absence is fine anyway
    const std::string group = parent_group.empty() ? name : parent_group + "/" + name;
    std::optional<std::string> option;
    SourceLoc where = e.value.loc();
    if (e.value.is_scalar()) {
      option = e.value.text();
    } else if (!e.value.is_null()) {
      fail_at(e.value, "defaults." + name, "expected an option name or null");
    }
    for (size_t i = 0; i < choices_.size(); ++i) {
      if (choices_[i].group == group && !choices_[i].add) {
        used_[i] = true;
        option = choices_[i].option;
        where = SourceLoc{choices_[i].source, 0, 0};
      }
    }
    if (!option) return;
    const fs::path file = find_group_file(group, *option, where);
    ConfigNode content = compose_file(file, group, /*is_primary=*/false);
    // The content goes under the group's key path relative to the file being composed.
    ConfigNode wrapped = content;
    const auto parts = split(key_path_of_group(name), '.');
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
      ConfigNode m = ConfigNode::map(content.loc());
      wrapped.set_key_loc(where);
      m.set(*it, std::move(wrapped));
      wrapped = std::move(m);
    }
    out.merge_from(wrapped);
  }

  fs::path find_plain(const ConfigNode& entry, const fs::path& from) const {
    std::string name = entry.text();
    std::vector<fs::path> candidates;
    for (const auto& ext : {"", ".yaml", ".yml"}) candidates.push_back(from.parent_path() / (name + ext));
    for (const auto& dir : search_path_) {
      for (const auto& ext : {".yaml", ".yml"}) candidates.push_back(dir / (name + ext));
    }
    for (const auto& c : candidates) {
      if (fs::is_regular_file(c)) return c;
    }
    fail_at(entry, "defaults",
            str("config file '", name, "' not found beside ", from.string(), " or in the search path"));
  }

  fs::path find_group_file(const std::string& group, const std::string& option, const SourceLoc& where) const {
    for (const auto& dir : search_path_) {
      for (const auto& ext : {".yaml", ".yml"}) {
        const fs::path p = dir / group / (option + ext);
        if (fs::is_regular_file(p)) return p;
      }
    }
    const auto options = group_options(group, search_path_);
    std::vector<std::string> dirs;
    for (const auto& d : search_path_) dirs.push_back(d.string());
    throw Error(str(where.str(), ": unknown option '", option, "' for config group '", group, "'",
                    did_you_mean(option, options),
                    options.empty() ? str(" (no group '", group, "' in ", join(dirs, ", "), ")")
                                    : " (available: " + join(options, ", ") + ")"));
  }

  const std::vector<fs::path>& search_path_;
  const std::vector<GroupChoice>& choices_;
  std::vector<bool> used_;
  std::vector<fs::path> stack_;
};

}  // namespace

bool is_config_group(const std::string& group, const std::vector<fs::path>& search_path) {
  for (const auto& dir : search_path) {
    std::error_code ec;
    if (fs::is_directory(dir / group, ec)) return true;
  }
  return false;
}

std::vector<std::string> group_options(const std::string& group, const std::vector<fs::path>& search_path) {
  std::set<std::string> names;
  for (const auto& dir : search_path) {
    std::error_code ec;
    for (const auto& f : fs::directory_iterator(dir / group, ec)) {
      const auto ext = f.path().extension();
      if (f.is_regular_file() && (ext == ".yaml" || ext == ".yml")) names.insert(f.path().stem().string());
    }
  }
  return {names.begin(), names.end()};
}

ConfigNode compose(const fs::path& primary, const std::vector<fs::path>& search_path,
                   const std::vector<GroupChoice>& choices) {
  Composer composer(search_path, choices);
  return composer.run(primary);
}

}  // namespace ecg::config
