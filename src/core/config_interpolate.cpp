#include "core/config_interpolate.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "core/config_schema.h"
#include "core/error.h"
#include "core/strings.h"

namespace ecg::config {
namespace {

struct Piece {
  bool is_expr = false;
  std::string text;  // literal text, or the expression inside ${...}
};

// Splits "a${x}b" into literal and expression pieces; handles nested ${} and \${.
std::vector<Piece> tokenize(const std::string& s, const ConfigNode& node, const std::string& path) {
  std::vector<Piece> out;
  std::string literal;
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '\\' && s.compare(i + 1, 2, "${") == 0) {
      literal += "${";
      i += 3;
    } else if (s.compare(i, 2, "${") == 0) {
      int depth = 1;
      size_t j = i + 2;
      for (; j < s.size() && depth > 0; ++j) {
        if (s.compare(j, 2, "${") == 0) {
          ++depth;
          ++j;
        } else if (s[j] == '}') {
          --depth;
        }
      }
      if (depth != 0) fail_at(node, path, str("unterminated interpolation in '", s, "'"));
      if (!literal.empty()) out.push_back(Piece{false, literal});
      literal.clear();
      out.push_back(Piece{true, s.substr(i + 2, j - 1 - (i + 2))});
      i = j;
    } else {
      literal += s[i++];
    }
  }
  if (!literal.empty()) out.push_back(Piece{false, literal});
  return out;
}

class Resolver {
 public:
  Resolver(ConfigNode& root, const EnvLookup& env) : root_(root), env_(env) {}

  void walk(ConfigNode& n, const std::string& path) {
    if (n.is_scalar()) {
      resolve_scalar(n, path);
    } else if (n.is_map()) {
      for (const auto& key : n.keys()) walk(n.at(key), child_path(path, key));
    } else if (n.is_sequence()) {
      for (size_t i = 0; i < n.size(); ++i) walk(n.elements()[i], child_path(path, std::to_string(i)));
    }
  }

 private:
  void resolve_scalar(ConfigNode& n, const std::string& path) {
    if (n.text().find("${") == std::string::npos) return;
    if (std::find(stack_.begin(), stack_.end(), path) != stack_.end()) {
      std::vector<std::string> chain(std::find(stack_.begin(), stack_.end(), path), stack_.end());
      chain.push_back(path);
      fail_at(n, path, str("interpolation cycle: ", join(chain, " -> ")));
    }
    stack_.push_back(path);
    const auto pieces = tokenize(n.text(), n, path);
    if (pieces.size() == 1 && pieces[0].is_expr) {
      ConfigNode value = evaluate(pieces[0].text, n, path);
      value.set_loc(n.loc());
      value.set_key_loc(n.key_loc());
      n = std::move(value);
    } else {
      ConfigNode value = ConfigNode::scalar(concatenate(pieces, n, path), n.quoted(), n.loc());
      value.set_key_loc(n.key_loc());
      n = std::move(value);
    }
    stack_.pop_back();
  }

  // Text with every ${...} replaced by its (scalar) value.
  std::string concatenate(const std::vector<Piece>& pieces, const ConfigNode& at, const std::string& path) {
    std::string text;
    for (const auto& p : pieces) {
      if (!p.is_expr) {
        text += p.text;
        continue;
      }
      const ConfigNode v = evaluate(p.text, at, path);
      if (v.is_null()) {
        text += "null";
      } else if (v.is_scalar()) {
        text += v.text();
      } else {
        fail_at(at, path, str("${", p.text, "} is a ", v.kind_name(), " and cannot be part of a string"));
      }
    }
    return text;
  }

  // Substitutes nested ${...} inside an expression's text (e.g. an env default).
  std::string expand(const std::string& expr, const ConfigNode& at, const std::string& path) {
    if (expr.find("${") == std::string::npos) return expr;
    return concatenate(tokenize(expr, at, path), at, path);
  }

  ConfigNode evaluate(const std::string& raw, const ConfigNode& at, const std::string& path) {
    const auto colon = raw.find(':');
    const auto brace = raw.find("${");
    if (colon != std::string::npos && (brace == std::string::npos || colon < brace)) {
      const std::string resolver = trim(raw.substr(0, colon));
      if (resolver != "env" && resolver != "oc.env") {
        fail_at(at, path, str("unknown resolver '", resolver, "' in ${", raw, "} (supported: env)"));
      }
      const std::string args = raw.substr(colon + 1);
      // The default may contain commas and nested interpolations; the name may not.
      const auto comma = args.find(',');
      const std::string name = trim(args.substr(0, comma));
      if (name.empty()) fail_at(at, path, str("${", raw, "}: missing variable name"));
      if (auto v = env_(name)) return ConfigNode::scalar(*v, /*quoted=*/false, at.loc());
      if (comma == std::string::npos) {
        fail_at(at, path, str("environment variable ", name, " is not set (give a default: ${env:", name, ",value})"));
      }
      const std::string def = expand(trim(args.substr(comma + 1)), at, path);
      if (def == "null") return ConfigNode::null(at.loc());
      return ConfigNode::scalar(def, /*quoted=*/false, at.loc());
    }
    const std::string ref = trim(expand(raw, at, path));
    return lookup(ref, at, path);
  }

  ConfigNode lookup(const std::string& ref, const ConfigNode& at, const std::string& path) {
    if (ref.empty()) fail_at(at, path, "empty interpolation ${}");
    std::vector<std::string> base;
    std::string rest = ref;
    if (ref[0] == '.') {
      size_t dots = 0;
      while (dots < ref.size() && ref[dots] == '.') ++dots;
      base = split(path, '.');
      if (dots > base.size()) fail_at(at, path, str("${", ref, "} goes above the root"));
      base.resize(base.size() - dots);
      rest = ref.substr(dots);
    }
    std::vector<std::string> segs = base;
    for (const auto& s : split(rest, '.')) {
      if (s.empty()) fail_at(at, path, str("bad key path in ${", ref, "}"));
      segs.push_back(s);
    }
    ConfigNode* node = &root_;
    std::string walked;
    for (const auto& seg : segs) {
      ConfigNode* next = nullptr;
      if (node->is_map()) {
        next = node->find(seg);
        if (next == nullptr) {
          fail_at(at, path,
                  str("${", ref, "}: key '", child_path(walked, seg), "' not found", did_you_mean(seg, node->keys())));
        }
      } else if (node->is_sequence() && !seg.empty() &&
                 std::all_of(seg.begin(), seg.end(), [](unsigned char c) { return std::isdigit(c); }) &&
                 seg.size() <= 18 && std::stoull(seg) < node->size()) {  // no stoul overflow (fuzzing)
        next = &node->elements()[std::stoull(seg)];
      } else {
        fail_at(at, path, str("${", ref, "}: key '", child_path(walked, seg), "' not found"));
      }
      walked = child_path(walked, seg);
      node = next;
    }
    if (node->is_missing_mark()) fail_at(at, path, str("${", ref, "} refers to a missing value ('?\?\?')"));
    walk(*node, walked);  // resolve the target first (cycles are caught there)
    return *node;
  }

  ConfigNode& root_;
  const EnvLookup& env_;
  std::vector<std::string> stack_;
};

}  // namespace

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

void resolve_interpolations(ConfigNode& root, const EnvLookup& env) {
  Resolver r(root, env);
  r.walk(root, "");
}

}  // namespace ecg::config
