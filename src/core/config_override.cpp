#include "core/config_override.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "core/error.h"
#include "core/strings.h"
#include "core/yaml_io.h"

namespace ecg::config {
namespace {

bool valid_segment(const std::string& s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!(std::isalnum(c) || c == '_' || c == '-' || c == '/')) return false;
  }
  return true;
}

bool is_index(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

/// The value of an is_index() string; too many digits give SIZE_MAX (out of range for
/// any list) instead of std::stoul's exception (found by fuzzing).
size_t index_value(const std::string& s) {
  return s.size() > 18 ? std::numeric_limits<size_t>::max() : static_cast<size_t>(std::stoull(s));
}

const Schema* schema_of_component(const FieldSpec& f, const ConfigNode* node) {
  if (node == nullptr || !node->is_map()) return nullptr;
  const ConfigNode* name = node->find("name");
  if (name == nullptr || !name->is_scalar()) return nullptr;
  return f.component->find(name->text());
}

}  // namespace

std::string Override::key_string() const {
  return join(key, ".");
}

std::string Override::source() const {
  return str("<override ", index, "> '", text, "'");
}

Override parse_override(const std::string& text, int64_t index) {
  Override ov;
  ov.text = text;
  ov.index = index;
  std::string rest = text;
  if (rest.rfind("++", 0) == 0) {
    ov.op = Override::Op::kForceAdd;
    rest = rest.substr(2);
  } else if (rest.rfind("+", 0) == 0) {
    ov.op = Override::Op::kAdd;
    rest = rest.substr(1);
  } else if (rest.rfind("~", 0) == 0) {
    ov.op = Override::Op::kDelete;
    rest = rest.substr(1);
  }
  const auto eq = rest.find('=');
  if (eq == std::string::npos && ov.op != Override::Op::kDelete) {
    throw Error(str(ov.source(), ": expected key=value (or +key=value, ++key=value, ~key)"));
  }
  const std::string key = rest.substr(0, eq);
  ov.key = split(key, '.');
  for (const auto& seg : ov.key) {
    ECG_CHECK(valid_segment(seg), ov.source(), ": bad key '", key,
              "' (segments are letters, digits, '_' and '-', separated by '.')");
  }
  if (eq != std::string::npos) {
    const std::string value = rest.substr(eq + 1);
    const std::string where = str("<override ", index, ">");
    if (value.empty()) {
      ov.value = ConfigNode::scalar("", /*quoted=*/true, SourceLoc{where, 0, 0});
    } else {
      try {
        ov.value = parse_yaml(value, where);
      } catch (const Error& e) {
        throw Error(str(ov.source(), ": bad value: ", e.what()));
      }
      // Locations inside an override point at the override, not a line of it.
      ov.value->set_loc(SourceLoc{ov.source(), 0, 0});
    }
  }
  return ov;
}

const Schema* find_schema_at(const Schema& schema, const ConfigNode& root, const std::vector<std::string>& prefix) {
  const Schema* s = &schema;
  const ConfigNode* node = &root;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (s == nullptr) return nullptr;
    const FieldSpec* f = s->find(prefix[i]);
    if (f == nullptr) return nullptr;
    node = node != nullptr ? node->find(prefix[i]) : nullptr;
    switch (f->type) {
      case ValueType::kSection:
        s = f->section.get();
        break;
      case ValueType::kComponent:
        s = schema_of_component(*f, node);
        break;
      case ValueType::kComponentList: {
        if (i + 1 >= prefix.size() || !is_index(prefix[i + 1]) || node == nullptr || !node->is_sequence())
          return nullptr;
        const size_t idx = index_value(prefix[i + 1]);
        if (idx >= node->size()) return nullptr;
        node = &node->elements()[idx];
        s = schema_of_component(*f, node);
        ++i;
        break;
      }
      default:
        return nullptr;
    }
  }
  return s;
}

const FieldSpec* find_schema_field(const Schema& schema, const ConfigNode& root, const std::vector<std::string>& key) {
  if (key.empty()) return nullptr;
  const Schema* s = find_schema_at(schema, root, {key.begin(), key.end() - 1});
  return s != nullptr ? s->find(key.back()) : nullptr;
}

void apply_override(ConfigNode& root, const Override& ov, const Schema* schema) {
  ConfigNode* node = &root;
  std::string path;
  for (size_t i = 0; i + 1 < ov.key.size(); ++i) {
    const std::string& seg = ov.key[i];
    ConfigNode* next = nullptr;
    if (node->is_sequence()) {
      ECG_CHECK(is_index(seg), ov.source(), ": '", path, "' is a list; expected an index, got '", seg, "'");
      const size_t idx = index_value(seg);
      ECG_CHECK(idx < node->size(), ov.source(), ": index ", idx, " out of range for '", path, "' (", node->size(),
                " elements)");
      next = &node->elements()[idx];
    } else if (node->is_map()) {
      next = node->find(seg);
      if (next == nullptr) {
        const bool adding = ov.op == Override::Op::kAdd || ov.op == Override::Op::kForceAdd;
        const std::vector<std::string> prefix(ov.key.begin(), ov.key.begin() + static_cast<std::ptrdiff_t>(i) + 1);
        const bool declared = schema != nullptr && find_schema_field(*schema, root, prefix) != nullptr;
        if (!adding && !declared) {
          throw Error(str(ov.source(), ": key '", child_path(path, seg), "' does not exist",
                          did_you_mean(seg, node->keys()), " (use +", ov.text, " to add it)"));
        }
        next = &node->set(seg, ConfigNode::map(SourceLoc{ov.source(), 0, 0}));
      }
    } else {
      throw Error(str(ov.source(), ": '", path, "' is a ", node->kind_name(), ", not a map or list"));
    }
    path = child_path(path, seg);
    node = next;
  }
  const std::string& last = ov.key.back();
  const std::string full = ov.key_string();

  if (node->is_sequence()) {
    ECG_CHECK(is_index(last), ov.source(), ": '", path, "' is a list; expected an index, got '", last, "'");
    const size_t idx = index_value(last);
    ECG_CHECK(idx < node->size(), ov.source(), ": index ", idx, " out of range for '", path, "' (", node->size(),
              " elements)");
    ECG_CHECK(ov.op == Override::Op::kSet || ov.op == Override::Op::kForceAdd, ov.source(),
              ": list elements can only be replaced (a.0=x)");
    node->elements()[idx] = *ov.value;
    return;
  }
  ECG_CHECK(node->is_map(), ov.source(), ": '", path, "' is a ", node->kind_name(), ", not a map");
  ConfigNode* existing = node->find(last);
  switch (ov.op) {
    case Override::Op::kDelete: {
      ECG_CHECK(existing != nullptr, ov.source(), ": cannot delete '", full, "': no such key",
                did_you_mean(last, node->keys()));
      if (ov.value && *existing != *ov.value) {
        throw Error(
            str(ov.source(), ": cannot delete '", full, "': its value is not ", ov.text.substr(ov.text.find('=') + 1)));
      }
      node->erase(last);
      return;
    }
    case Override::Op::kAdd:
      ECG_CHECK(existing == nullptr, ov.source(), ": key '", full, "' already exists; use ", ov.text.substr(1),
                " to change it or +", ov.text, " to force");
      break;
    case Override::Op::kSet:
      if (existing == nullptr) {
        const bool declared = schema != nullptr && find_schema_field(*schema, root, ov.key) != nullptr;
        if (!declared) {
          std::vector<std::string> candidates = node->keys();
          if (schema != nullptr) {
            if (const Schema* level = find_schema_at(*schema, root, {ov.key.begin(), ov.key.end() - 1})) {
              for (const auto& n : level->field_names()) candidates.push_back(n);
            }
          }
          throw Error(str(ov.source(), ": key '", full, "' does not exist", did_you_mean(last, candidates), " (use +",
                          ov.text, " to add it)"));
        }
      }
      break;
    case Override::Op::kForceAdd:
      break;
  }
  ConfigNode value = *ov.value;
  value.set_key_loc(SourceLoc{ov.source(), 0, 0});
  node->set(last, std::move(value));
}

}  // namespace ecg::config
