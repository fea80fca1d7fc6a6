#pragma once
// Strict schemas for config sections. A Schema lists the keys a section may have, each
// with its type, default and help. Schema::normalize checks a section and fills in its
// defaults; every error names the file, line and key path, and unknown keys get the
// closest valid key:
//
//   configs/m.yaml:4:3: model.widht: unknown key for model 'resnet1d', did you mean 'width'?
//
// Schemas are usually not written by hand: OptionsBinder (options_binder.h) derives one
// from an Options struct. Components chosen by name (models, losses, ...) are declared
// with a ComponentKind, which finds the schema of the chosen name in a registry.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config_node.h"

namespace ecg::config {

class Schema;

enum class ValueType {
  kBool,
  kInt,
  kFloat,
  kString,
  kIntList,
  kFloatList,
  kStringList,
  kSection,        // a map checked against a nested Schema
  kComponent,      // a map {name: <registered name>, ...options of that name}
  kComponentList,  // a list of components
  kAny,            // anything; checked by its consumer
};

/// "int", "list of float", ... for messages and `ecgtorch list`.
const char* value_type_name(ValueType t);

/// A family of named components, e.g. all registered models. `find` returns the schema
/// of a name, or nullptr when the name is unknown.
struct ComponentKind {
  std::string kind;  // "model", "loss", ...
  std::function<const Schema*(const std::string& name)> find;
  std::function<std::vector<std::string>()> names;
};

struct FieldSpec {
  std::string name;
  ValueType type = ValueType::kAny;
  std::string help;
  bool required = false;                    // must be present and not "???"
  bool nullable = false;                    // null is a valid value
  std::optional<ConfigNode> default_value;  // filled in when absent
  std::vector<std::string> choices;         // for kString: the allowed values
  std::optional<double> min_value;          // for kInt/kFloat and their lists
  std::optional<double> max_value;
  std::optional<int64_t> length;                   // for lists: the exact number of elements
  std::shared_ptr<const Schema> section;           // for kSection
  std::shared_ptr<const ComponentKind> component;  // for kComponent, kComponentList
};

class Schema {
 public:
  Schema() = default;
  /// `what` names the section in messages, e.g. "model 'resnet1d'" or "run options".
  explicit Schema(std::string what) : what_(std::move(what)) {}

  /// Adds a field; throws std::logic_error on a duplicate name.
  FieldSpec& add(FieldSpec field);
  const std::vector<FieldSpec>& fields() const { return fields_; }
  const FieldSpec* find(const std::string& name) const;
  const std::string& what() const { return what_; }
  void set_what(std::string what) { what_ = std::move(what); }
  std::vector<std::string> field_names() const;

  /// Fills in absent keys that have defaults, recursively, without checking types
  /// (interpolations are not resolved yet). Unknown component names are left alone.
  void fill_defaults(ConfigNode& section) const;

  /// Checks `section` (a map at key path `path`) strictly and fills in defaults.
  /// Throws ecg::Error for an unknown key, a wrong type, a value out of range or not
  /// among the choices, a missing required value, or an unresolved "???".
  void normalize(ConfigNode& section, const std::string& path) const;

 private:
  std::string what_;
  std::vector<FieldSpec> fields_;
};

/// Checks one component map {name: x, ...}: the name must be registered in `kind`, the
/// rest is normalized with that name's schema.
void normalize_component(ConfigNode& node, const std::string& path, const ComponentKind& kind);
void fill_component_defaults(ConfigNode& node, const ComponentKind& kind);

// Strict scalar readers. Each throws ecg::Error "<loc>: <path>: expected <type>, got ..."
// naming the location of `node`. Quoted scalars are strings and never numbers or bools.
bool read_bool(const ConfigNode& node, const std::string& path);
int64_t read_int(const ConfigNode& node, const std::string& path);
double read_float(const ConfigNode& node, const std::string& path);
std::string read_string(const ConfigNode& node, const std::string& path);
std::vector<int64_t> read_int_list(const ConfigNode& node, const std::string& path);
std::vector<double> read_float_list(const ConfigNode& node, const std::string& path);
std::vector<std::string> read_string_list(const ConfigNode& node, const std::string& path);

/// Throws ecg::Error "<loc of node>: <path>: <message>".
[[noreturn]] void fail_at(const ConfigNode& node, const std::string& path, const std::string& message);

}  // namespace ecg::config
