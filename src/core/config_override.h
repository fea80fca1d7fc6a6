#pragma once
// Command-line overrides, Hydra's grammar:
//
//   a.b=3            set an existing key (or one the schema declares)
//   a.list=[1,2]     values are YAML: lists, maps, quoted strings ('3' stays a string)
//   loss.terms.1.weight=0.5   numeric segments index lists
//   +a.new=x         add a key that does not exist yet (error if it does)
//   ++a.b=x          add or replace
//   ~a.b             delete a key (~a.b=3 deletes only if the value is 3)
//   model=vit_detr   choose another option of a config group (see config_compose.h)
//
// Every error names the override by its position and text.

#include <optional>
#include <string>
#include <vector>

#include "core/config_node.h"
#include "core/config_schema.h"

namespace ecg::config {

struct Override {
  enum class Op { kSet, kAdd, kForceAdd, kDelete };
  Op op = Op::kSet;
  std::vector<std::string> key;     // path segments
  std::optional<ConfigNode> value;  // absent for a bare `~key`
  std::string text;                 // as typed
  int64_t index = 0;                // 1-based position on the command line
  /// "<override 2> 'a.b=3'".
  std::string source() const;
  std::string key_string() const;  // "a.b"
};

/// Parses one override. Throws ecg::Error (a usage error) naming it when malformed.
Override parse_override(const std::string& text, int64_t index);

/// Applies a value override. With a schema, a key absent from the tree may still be set
/// when the schema declares it (so defaults can be overridden); unknown keys fail with
/// the closest valid key.
void apply_override(ConfigNode& root, const Override& ov, const Schema* schema);

/// The schema field that declares key path `key` in `root`, following sections and the
/// chosen component names; nullptr when there is none.
const FieldSpec* find_schema_field(const Schema& schema, const ConfigNode& root, const std::vector<std::string>& key);

/// The schema of the map at key path `prefix` (the root schema for an empty prefix).
const Schema* find_schema_at(const Schema& schema, const ConfigNode& root, const std::vector<std::string>& prefix);

}  // namespace ecg::config
