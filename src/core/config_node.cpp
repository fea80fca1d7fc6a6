#include "core/config_node.h"

#include "core/error.h"

namespace ecg::config {

std::string SourceLoc::str() const {
  if (file.empty() && line == 0) return "<unknown>";
  std::string s = file.empty() ? "<unknown>" : file;
  if (line > 0) s += ":" + std::to_string(line);
  if (line > 0 && column > 0) s += ":" + std::to_string(column);
  return s;
}

ConfigNode ConfigNode::null(SourceLoc loc) {
  ConfigNode n;
  n.loc_ = std::move(loc);
  return n;
}

ConfigNode ConfigNode::scalar(std::string text, bool quoted, SourceLoc loc) {
  ConfigNode n;
  n.kind_ = Kind::kScalar;
  n.text_ = std::move(text);
  n.quoted_ = quoted;
  n.loc_ = std::move(loc);
  return n;
}

ConfigNode ConfigNode::sequence(SourceLoc loc) {
  ConfigNode n;
  n.kind_ = Kind::kSequence;
  n.loc_ = std::move(loc);
  return n;
}

ConfigNode ConfigNode::map(SourceLoc loc) {
  ConfigNode n;
  n.kind_ = Kind::kMap;
  n.loc_ = std::move(loc);
  return n;
}

const char* ConfigNode::kind_name() const {
  switch (kind_) {
    case Kind::kNull:
      return "null";
    case Kind::kScalar:
      return "scalar";
    case Kind::kSequence:
      return "list";
    case Kind::kMap:
      return "map";
  }
  return "?";
}

const std::string& ConfigNode::text() const {
  ECG_INTERNAL_ASSERT(is_scalar(), "text() of a ", kind_name());
  return text_;
}

const std::vector<ConfigNode::Entry>& ConfigNode::entries() const {
  ECG_INTERNAL_ASSERT(is_map(), "entries() of a ", kind_name());
  return entries_;
}

std::vector<std::string> ConfigNode::keys() const {
  std::vector<std::string> out;
  for (const auto& e : entries()) out.push_back(e.key);
  return out;
}

const ConfigNode* ConfigNode::find(const std::string& key) const {
  if (!is_map()) return nullptr;
  for (const auto& e : entries_) {
    if (e.key == key) return &e.value;
  }
  return nullptr;
}

ConfigNode* ConfigNode::find(const std::string& key) {
  return const_cast<ConfigNode*>(static_cast<const ConfigNode*>(this)->find(key));
}

const ConfigNode& ConfigNode::at(const std::string& key) const {
  const ConfigNode* n = find(key);
  ECG_INTERNAL_ASSERT(n != nullptr, "missing key '", key, "'");
  return *n;
}

ConfigNode& ConfigNode::at(const std::string& key) {
  return const_cast<ConfigNode&>(static_cast<const ConfigNode*>(this)->at(key));
}

ConfigNode& ConfigNode::set(const std::string& key, ConfigNode value) {
  ECG_INTERNAL_ASSERT(is_map(), "set() on a ", kind_name());
  for (auto& e : entries_) {
    if (e.key == key) {
      e.value = std::move(value);
      return e.value;
    }
  }
  entries_.push_back(Entry{key, std::move(value)});
  return entries_.back().value;
}

bool ConfigNode::erase(const std::string& key) {
  if (!is_map()) return false;
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->key == key) {
      entries_.erase(it);
      return true;
    }
  }
  return false;
}

const std::vector<ConfigNode>& ConfigNode::elements() const {
  ECG_INTERNAL_ASSERT(is_sequence(), "elements() of a ", kind_name());
  return elements_;
}

std::vector<ConfigNode>& ConfigNode::elements() {
  ECG_INTERNAL_ASSERT(is_sequence(), "elements() of a ", kind_name());
  return elements_;
}

void ConfigNode::push_back(ConfigNode value) {
  ECG_INTERNAL_ASSERT(is_sequence(), "push_back() on a ", kind_name());
  elements_.push_back(std::move(value));
}

size_t ConfigNode::size() const {
  if (is_map()) return entries_.size();
  if (is_sequence()) return elements_.size();
  return 0;
}

void ConfigNode::merge_from(const ConfigNode& other) {
  if (is_map() && other.is_map()) {
    for (const auto& e : other.entries_) {
      if (ConfigNode* mine = find(e.key)) {
        mine->merge_from(e.value);
      } else {
        set(e.key, e.value);
      }
    }
    return;
  }
  const SourceLoc key_loc = key_loc_;
  *this = other;
  if (key_loc.line > 0 || !key_loc.file.empty()) key_loc_ = key_loc;
  if (other.key_loc_.line > 0 || !other.key_loc_.file.empty()) key_loc_ = other.key_loc_;
}

bool ConfigNode::operator==(const ConfigNode& other) const {
  if (kind_ != other.kind_) return false;
  switch (kind_) {
    case Kind::kNull:
      return true;
    case Kind::kScalar:
      return text_ == other.text_ && quoted_ == other.quoted_;
    case Kind::kSequence:
      return elements_ == other.elements_;
    case Kind::kMap:
      if (entries_.size() != other.entries_.size()) return false;
      for (size_t i = 0; i < entries_.size(); ++i) {
        if (entries_[i].key != other.entries_[i].key || entries_[i].value != other.entries_[i].value) return false;
      }
      return true;
  }
  return false;
}

std::string child_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

}  // namespace ecg::config
