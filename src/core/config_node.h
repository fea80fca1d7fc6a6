#pragma once
// ConfigNode: the in-memory config tree that every config step works on (composition,
// overrides, interpolation, schema checks). Unlike YAML::Node it keeps, for every value
// and every map key, where it came from (file, line, column), so that each error can
// name its source. Maps keep insertion order. Scalars keep their text and whether they
// were quoted: a quoted scalar is always a string, a plain one is typed by the schema.
//
//   ConfigNode m = ConfigNode::map();
//   m.set("lr", ConfigNode::scalar("0.1"));
//   m.at("lr").text() == "0.1";

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ecg::config {

/// Where a value came from. line and column are 1-based; 0 means unknown.
struct SourceLoc {
  std::string file;  // a path, or "<override N>" for a command-line override
  int64_t line = 0;
  int64_t column = 0;
  /// "file:line:col", "file:line", "file", or "<unknown>".
  std::string str() const;
};

class ConfigNode {
 public:
  enum class Kind { kNull, kScalar, kSequence, kMap };
  struct Entry;

  ConfigNode() = default;  // null, unknown location
  static ConfigNode null(SourceLoc loc = {});
  static ConfigNode scalar(std::string text, bool quoted = false, SourceLoc loc = {});
  static ConfigNode sequence(SourceLoc loc = {});
  static ConfigNode map(SourceLoc loc = {});

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_scalar() const { return kind_ == Kind::kScalar; }
  bool is_sequence() const { return kind_ == Kind::kSequence; }
  bool is_map() const { return kind_ == Kind::kMap; }
  /// "null", "scalar", "list" or "map", for messages.
  const char* kind_name() const;

  const SourceLoc& loc() const { return loc_; }
  void set_loc(SourceLoc loc) { loc_ = std::move(loc); }
  /// Where this node's key was written in its parent map (the value's loc otherwise).
  const SourceLoc& key_loc() const { return key_loc_.line > 0 || !key_loc_.file.empty() ? key_loc_ : loc_; }
  void set_key_loc(SourceLoc loc) { key_loc_ = std::move(loc); }

  // Scalars. text() requires is_scalar().
  const std::string& text() const;
  bool quoted() const { return quoted_; }
  /// The scalar "???" (Hydra's mark for a value that must be supplied).
  bool is_missing_mark() const { return kind_ == Kind::kScalar && !quoted_ && text_ == "???"; }

  // Maps. Keys are unique; set() keeps the position of an existing key.
  const std::vector<Entry>& entries() const;
  std::vector<std::string> keys() const;
  bool has(const std::string& key) const { return find(key) != nullptr; }
  const ConfigNode* find(const std::string& key) const;
  ConfigNode* find(const std::string& key);
  /// Requires the key (internal use: throws std::logic_error when absent).
  const ConfigNode& at(const std::string& key) const;
  ConfigNode& at(const std::string& key);
  ConfigNode& set(const std::string& key, ConfigNode value);
  bool erase(const std::string& key);

  // Sequences.
  const std::vector<ConfigNode>& elements() const;
  std::vector<ConfigNode>& elements();
  void push_back(ConfigNode value);

  /// Number of entries of a map or elements of a sequence; 0 otherwise.
  size_t size() const;

  /// Recursive merge in OmegaConf's sense: maps merge key by key, anything else replaces.
  void merge_from(const ConfigNode& other);

  /// Structural equality (kind, text, quoting, order); locations are ignored.
  bool operator==(const ConfigNode& other) const;
  bool operator!=(const ConfigNode& other) const { return !(*this == other); }

 private:
  Kind kind_ = Kind::kNull;
  std::string text_;
  bool quoted_ = false;
  std::vector<Entry> entries_;
  std::vector<ConfigNode> elements_;
  SourceLoc loc_;
  SourceLoc key_loc_;
};

struct ConfigNode::Entry {
  std::string key;
  ConfigNode value;
};

/// Joins a key path for messages: child_path("model", "width") == "model.width",
/// child_path("", "seed") == "seed".
std::string child_path(const std::string& parent, const std::string& key);

}  // namespace ecg::config
