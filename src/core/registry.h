#pragma once
// Registry<T, Args...>: name -> factory for one kind of component (models, losses,
// optimizers, ...). Registries are plain objects owned by the application and filled by
// explicit register_builtin_*() calls: no static self-registration, no globals.
//
//   Registry<Loss> losses("loss");
//   register_builtin_losses(losses);
//   std::shared_ptr<Loss> l = losses.create(cfg.at("loss"), "loss");
//
// Each entry carries the Schema of its options, so configs are checked strictly and
// `ecgtorch list` can print every option with its type and default.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/component_listing.h"
#include "core/config_schema.h"
#include "core/error.h"
#include "core/options_binder.h"
#include "core/strings.h"

namespace ecg {

template <class T, class... Args>
class Registry {
 public:
  /// Receives the component's options section (normalized; its "name" key removed).
  using Factory =
      std::function<std::shared_ptr<T>(const config::ConfigNode& options, const std::string& path, Args...)>;

  struct Entry {
    std::string name;
    std::string summary;  // one line for `ecgtorch list`
    std::shared_ptr<const config::Schema> schema;
    Factory factory;
  };

  explicit Registry(std::string kind) : kind_(std::move(kind)), component_(std::make_shared<config::ComponentKind>()) {
    component_->kind = kind_;
    component_->find = [this](const std::string& n) -> const config::Schema* {
      const Entry* e = find(n);
      return e != nullptr ? e->schema.get() : nullptr;
    };
    component_->names = [this] { return names(); };
  }
  // The ComponentKind refers back to this object, so it must stay where it is.
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  /// Adds an entry; throws ecg::Error on a duplicate name.
  void add(std::string name, std::string summary, std::shared_ptr<const config::Schema> schema, Factory factory) {
    ECG_CHECK(entries_.count(name) == 0, kind_, " '", name, "' is registered twice");
    Entry e{name, std::move(summary), std::move(schema), std::move(factory)};
    entries_.emplace(std::move(name), std::move(e));
  }

  /// Adds an entry whose options are read through an OptionsBinder:
  /// `make(const Options&, Args...)` builds the component.
  template <class Options, class Make>
  void add(std::string name, std::string summary, const config::OptionsBinder<Options>& binder, Make make) {
    auto b = std::make_shared<config::OptionsBinder<Options>>(binder);
    add(std::move(name), std::move(summary), b->shared_schema(),
        [b, make](const config::ConfigNode& options, const std::string& path, Args... args) -> std::shared_ptr<T> {
          return make(b->read(options, path), args...);
        });
  }

  const Entry* find(const std::string& name) const {
    auto it = entries_.find(name);
    return it == entries_.end() ? nullptr : &it->second;
  }

  /// Throws ecg::Error "unknown <kind> 'x', did you mean 'y'? (known: ...)".
  const Entry& at(const std::string& name) const {
    const Entry* e = find(name);
    if (e == nullptr) {
      const auto known = names();
      throw Error(str("unknown ", kind_, " '", name, "'", did_you_mean(name, known),
                      known.empty() ? str(" (no ", kind_, " is registered)") : " (known: " + join(known, ", ") + ")"));
    }
    return *e;
  }

  /// Builds the component a config section {name: x, ...} asks for. The section is
  /// checked and completed with defaults first, so it may come straight from YAML.
  std::shared_ptr<T> create(const config::ConfigNode& spec, const std::string& path, Args... args) const {
    config::ConfigNode copy = spec;
    config::normalize_component(copy, path, *component_);
    const std::string name = copy.at("name").text();
    copy.erase("name");
    return at(name).factory(copy, path, args...);
  }

  /// Sorted names.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& kv : entries_) out.push_back(kv.first);
    return out;
  }
  std::vector<const Entry*> entries() const {
    std::vector<const Entry*> out;
    for (const auto& kv : entries_) out.push_back(&kv.second);
    return out;
  }
  std::vector<ComponentInfo> infos() const {
    std::vector<ComponentInfo> out;
    for (const auto& kv : entries_) out.push_back(ComponentInfo{kv.second.name, kv.second.summary, kv.second.schema});
    return out;
  }
  const std::string& kind() const { return kind_; }
  size_t size() const { return entries_.size(); }

  /// For schemas with fields of this kind (config::ValueType::kComponent).
  std::shared_ptr<const config::ComponentKind> component_kind() const { return component_; }

 private:
  std::string kind_;
  std::map<std::string, Entry> entries_;
  std::shared_ptr<config::ComponentKind> component_;
};

}  // namespace ecg
