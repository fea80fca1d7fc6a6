#include "core/config_schema.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "core/error.h"
#include "core/strings.h"

namespace ecg::config {
namespace {

std::string describe(const ConfigNode& node) {
  if (node.is_scalar()) return str(node.quoted() ? "string " : "", "'", node.text(), "'");
  return std::string("a ") + node.kind_name();
}

void check_range(const ConfigNode& node, const std::string& path, const FieldSpec& f, double v) {
  if (f.min_value && v < *f.min_value) fail_at(node, path, str("must be >= ", *f.min_value, ", got ", node.text()));
  if (f.max_value && v > *f.max_value) fail_at(node, path, str("must be <= ", *f.max_value, ", got ", node.text()));
}

void check_list(const ConfigNode& node, const std::string& path, const FieldSpec& f) {
  if (!node.is_sequence()) fail_at(node, path, str("expected ", value_type_name(f.type), ", got ", describe(node)));
  if (f.length && static_cast<int64_t>(node.size()) != *f.length) {
    fail_at(node, path, str("expected ", *f.length, " elements, got ", node.size()));
  }
}

void check_value(ConfigNode& node, const std::string& path, const FieldSpec& f) {
  if (node.is_missing_mark()) fail_at(node, path, "missing required value (still '?\?\?')");
  if (node.is_null()) {
    if (f.nullable || f.type == ValueType::kAny) return;
    fail_at(node, path, str("expected ", value_type_name(f.type), ", got null"));
  }
  switch (f.type) {
    case ValueType::kBool:
      read_bool(node, path);
      break;
    case ValueType::kInt:
      check_range(node, path, f, static_cast<double>(read_int(node, path)));
      break;
    case ValueType::kFloat:
      check_range(node, path, f, read_float(node, path));
      break;
    case ValueType::kString: {
      const std::string s = read_string(node, path);
      if (!f.choices.empty() && std::find(f.choices.begin(), f.choices.end(), s) == f.choices.end()) {
        fail_at(node, path,
                str("expected one of ", join(f.choices, ", "), ", got '", s, "'", did_you_mean(s, f.choices)));
      }
      break;
    }
    case ValueType::kIntList:
      check_list(node, path, f);
      for (size_t i = 0; i < node.size(); ++i) {
        const auto p = child_path(path, std::to_string(i));
        check_range(node.elements()[i], p, f, static_cast<double>(read_int(node.elements()[i], p)));
      }
      break;
    case ValueType::kFloatList:
      check_list(node, path, f);
      for (size_t i = 0; i < node.size(); ++i) {
        const auto p = child_path(path, std::to_string(i));
        check_range(node.elements()[i], p, f, read_float(node.elements()[i], p));
      }
      break;
    case ValueType::kStringList:
      check_list(node, path, f);
      for (size_t i = 0; i < node.size(); ++i) read_string(node.elements()[i], child_path(path, std::to_string(i)));
      break;
    case ValueType::kSection:
      ECG_INTERNAL_ASSERT(f.section != nullptr, "field ", f.name, " has no section schema");
      f.section->normalize(node, path);
      break;
    case ValueType::kComponent:
      ECG_INTERNAL_ASSERT(f.component != nullptr, "field ", f.name, " has no component kind");
      normalize_component(node, path, *f.component);
      break;
    case ValueType::kComponentList:
      ECG_INTERNAL_ASSERT(f.component != nullptr, "field ", f.name, " has no component kind");
      check_list(node, path, f);
      for (size_t i = 0; i < node.size(); ++i) {
        normalize_component(node.elements()[i], child_path(path, std::to_string(i)), *f.component);
      }
      break;
    case ValueType::kAny:
      break;
  }
}

}  // namespace

const char* value_type_name(ValueType t) {
  switch (t) {
    case ValueType::kBool:
      return "bool";
    case ValueType::kInt:
      return "int";
    case ValueType::kFloat:
      return "float";
    case ValueType::kString:
      return "string";
    case ValueType::kIntList:
      return "list of int";
    case ValueType::kFloatList:
      return "list of float";
    case ValueType::kStringList:
      return "list of string";
    case ValueType::kSection:
      return "map";
    case ValueType::kComponent:
      return "component";
    case ValueType::kComponentList:
      return "list of components";
    case ValueType::kAny:
      return "any";
  }
  return "?";
}

void fail_at(const ConfigNode& node, const std::string& path, const std::string& message) {
  throw Error(str(node.loc().str(), ": ", path.empty() ? std::string("<root>") : path, ": ", message));
}

FieldSpec& Schema::add(FieldSpec field) {
  ECG_INTERNAL_ASSERT(find(field.name) == nullptr, "duplicate schema field '", field.name, "' in ", what_);
  fields_.push_back(std::move(field));
  return fields_.back();
}

const FieldSpec* Schema::find(const std::string& name) const {
  for (const auto& f : fields_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::vector<std::string> Schema::field_names() const {
  std::vector<std::string> out;
  for (const auto& f : fields_) out.push_back(f.name);
  return out;
}

void Schema::fill_defaults(ConfigNode& section) const {
  if (!section.is_map()) return;
  for (const auto& f : fields_) {
    ConfigNode* value = section.find(f.name);
    if (value == nullptr && f.default_value) {
      ConfigNode v = *f.default_value;
      v.set_loc(SourceLoc{str("<default of ", what_, ">"), 0, 0});
      value = &section.set(f.name, std::move(v));
    }
    if (value == nullptr) continue;
    if (f.type == ValueType::kSection && f.section) f.section->fill_defaults(*value);
    if (f.type == ValueType::kComponent && f.component) fill_component_defaults(*value, *f.component);
    if (f.type == ValueType::kComponentList && f.component && value->is_sequence()) {
      for (auto& e : value->elements()) fill_component_defaults(e, *f.component);
    }
  }
}

void Schema::normalize(ConfigNode& section, const std::string& path) const {
  if (section.is_missing_mark()) fail_at(section, path, "missing required value (still '?\?\?')");
  if (!section.is_map()) fail_at(section, path, str("expected a map for ", what_, ", got ", describe(section)));
  const auto names = field_names();
  for (const auto& e : section.entries()) {
    if (find(e.key) == nullptr) {
      const auto suggestion = closest_match(e.key, names);
      const std::string hint = suggestion      ? ", did you mean '" + *suggestion + "'?"
                               : names.empty() ? std::string(" (it takes no options)")
                                               : " (valid keys: " + join(names, ", ") + ")";
      throw Error(str(e.value.key_loc().str(), ": ", child_path(path, e.key), ": unknown key for ", what_, hint));
    }
  }
  fill_defaults(section);
  for (const auto& f : fields_) {
    ConfigNode* value = section.find(f.name);
    const std::string p = child_path(path, f.name);
    if (value == nullptr) {
      if (f.required)
        fail_at(section, path,
                str("missing required key '", f.name, "' (", value_type_name(f.type), ": ", f.help, ")"));
      continue;
    }
    check_value(*value, p, f);
  }
}

void fill_component_defaults(ConfigNode& node, const ComponentKind& kind) {
  if (!node.is_map()) return;
  const ConfigNode* name = node.find("name");
  if (name == nullptr || !name->is_scalar()) return;
  if (const Schema* s = kind.find(name->text())) {
    ConfigNode name_copy = *name;
    node.erase("name");
    s->fill_defaults(node);
    ConfigNode with_name = ConfigNode::map(node.loc());
    with_name.set_key_loc(node.key_loc());
    with_name.set("name", std::move(name_copy));
    with_name.merge_from(node);
    node = std::move(with_name);
  }
}

void normalize_component(ConfigNode& node, const std::string& path, const ComponentKind& kind) {
  if (node.is_missing_mark()) fail_at(node, path, "missing required value (still '?\?\?')");
  if (node.is_scalar() && !node.text().empty()) {
    fail_at(node, path,
            str("expected a map {name: ", node.text(), ", ...} for a ", kind.kind, ", got '", node.text(), "'"));
  }
  if (!node.is_map()) fail_at(node, path, str("expected a ", kind.kind, " map {name: ..., ...}, got ", describe(node)));
  const ConfigNode* name_node = node.find("name");
  const auto names = kind.names();
  if (name_node == nullptr) {
    fail_at(node, path, str("missing required key 'name' (one of: ", join(names, ", "), ")"));
  }
  const std::string name = read_string(*name_node, child_path(path, "name"));
  const Schema* schema = kind.find(name);
  if (schema == nullptr) {
    fail_at(*name_node, child_path(path, "name"),
            str("unknown ", kind.kind, " '", name, "'", did_you_mean(name, names),
                names.empty() ? str(" (no ", kind.kind, " is registered)") : " (known: " + join(names, ", ") + ")"));
  }
  ConfigNode name_copy = *name_node;
  node.erase("name");
  schema->normalize(node, path);
  ConfigNode out = ConfigNode::map(node.loc());
  out.set_key_loc(node.key_loc());
  out.set("name", std::move(name_copy));
  out.merge_from(node);
  node = std::move(out);
}

bool read_bool(const ConfigNode& node, const std::string& path) {
  if (node.is_scalar() && !node.quoted()) {
    const std::string& t = node.text();
    if (t == "true" || t == "True" || t == "TRUE") return true;
    if (t == "false" || t == "False" || t == "FALSE") return false;
  }
  fail_at(node, path, str("expected bool (true or false), got ", describe(node)));
}

int64_t read_int(const ConfigNode& node, const std::string& path) {
  if (node.is_scalar() && !node.quoted()) {
    const std::string& t = node.text();
    int64_t v = 0;
    const char* begin = t.data();
    if (!t.empty() && t[0] == '+') ++begin;
    const auto [ptr, ec] = std::from_chars(begin, t.data() + t.size(), v);
    if (ec == std::errc() && ptr == t.data() + t.size() && begin != ptr) return v;
    if (ec == std::errc::result_out_of_range) fail_at(node, path, str("integer out of range: ", t));
  }
  fail_at(node, path, str("expected int, got ", describe(node)));
}

double read_float(const ConfigNode& node, const std::string& path) {
  if (node.is_scalar() && !node.quoted()) {
    const std::string& t = node.text();
    if (t == ".inf" || t == ".Inf" || t == "+.inf") return HUGE_VAL;
    if (t == "-.inf" || t == "-.Inf") return -HUGE_VAL;
    if (t == ".nan" || t == ".NaN") return std::nan("");
    if (!t.empty() && t.find_first_of(" \t") == std::string::npos) {
      errno = 0;
      char* end = nullptr;
      const double v = std::strtod(t.c_str(), &end);
      const std::string lower = to_lower(t);
      // strtod also takes "inf", "nan" and hex floats; YAML spells those differently.
      const bool yaml_number = lower.find("inf") == std::string::npos && lower.find("nan") == std::string::npos &&
                               lower.find("0x") == std::string::npos;
      if (end == t.c_str() + t.size() && yaml_number) {
        if (errno == ERANGE && std::isinf(v)) fail_at(node, path, str("float out of range: ", t));
        return v;
      }
    }
  }
  fail_at(node, path, str("expected float, got ", describe(node)));
}

std::string read_string(const ConfigNode& node, const std::string& path) {
  if (node.is_scalar()) return node.text();
  fail_at(node, path, str("expected string, got ", describe(node)));
}

namespace {
template <class T, class Read>
std::vector<T> read_list(const ConfigNode& node, const std::string& path, const char* what, Read read) {
  if (!node.is_sequence()) fail_at(node, path, str("expected list of ", what, ", got ", describe(node)));
  std::vector<T> out;
  for (size_t i = 0; i < node.size(); ++i) out.push_back(read(node.elements()[i], child_path(path, std::to_string(i))));
  return out;
}
}  // namespace

std::vector<int64_t> read_int_list(const ConfigNode& node, const std::string& path) {
  return read_list<int64_t>(node, path, "int", read_int);
}
std::vector<double> read_float_list(const ConfigNode& node, const std::string& path) {
  return read_list<double>(node, path, "float", read_float);
}
std::vector<std::string> read_string_list(const ConfigNode& node, const std::string& path) {
  return read_list<std::string>(node, path, "string", read_string);
}

}  // namespace ecg::config
