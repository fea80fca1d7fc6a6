#include "core/yaml_io.h"

#include <algorithm>

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "core/error.h"

namespace ecg::config {
namespace {

SourceLoc loc_of(const YAML::Mark& mark, const std::string& source) {
  if (mark.line < 0) return SourceLoc{source, 0, 0};
  return SourceLoc{source, mark.line + 1, mark.column + 1};
}

ConfigNode convert(const YAML::Node& node, const std::string& source) {
  const SourceLoc loc = loc_of(node.Mark(), source);
  // Tags ("!optimizer x", "!!str 1") would change what a value means in ways the config
  // system does not model; they are refused (a tagged empty value also did not emit
  // back the same; found by fuzzing). yaml-cpp's non-specific tags are "", "?" and "!".
  const std::string& tag = node.Tag();
  ECG_CHECK(tag.empty() || tag == "?" || tag == "!", loc.str(), ": YAML tags are not supported (got '", tag, "')");
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return ConfigNode::null(loc);
    case YAML::NodeType::Scalar:
      // yaml-cpp tags plain scalars "?" and quoted or literal ones "!".
      return ConfigNode::scalar(node.Scalar(), node.Tag() == "!", loc);
    case YAML::NodeType::Sequence: {
      ConfigNode seq = ConfigNode::sequence(loc);
      for (const auto& child : node) seq.push_back(convert(child, source));
      return seq;
    }
    case YAML::NodeType::Map: {
      ConfigNode map = ConfigNode::map(loc);
      for (const auto& kv : node) {
        const SourceLoc key_loc = loc_of(kv.first.Mark(), source);
        ECG_CHECK(kv.first.IsScalar(), key_loc.str(), ": map keys must be plain strings");
        const std::string key = kv.first.Scalar();
        if (const ConfigNode* prev = map.find(key)) {
          throw Error(
              str(key_loc.str(), ": duplicate key '", key, "' (first defined at line ", prev->key_loc().line, ")"));
        }
        ConfigNode value = convert(kv.second, source);
        value.set_key_loc(key_loc);
        map.set(key, std::move(value));
      }
      return map;
    }
  }
  return ConfigNode::null(loc);
}

void emit(YAML::Emitter& out, const ConfigNode& node) {
  switch (node.kind()) {
    case ConfigNode::Kind::kNull:
      out << YAML::Null;
      break;
    case ConfigNode::Kind::kScalar:
      if (node.quoted()) {
        out << YAML::DoubleQuoted << node.text();
      } else {
        out << node.text();
      }
      break;
    case ConfigNode::Kind::kSequence:
      if (node.size() == 0) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& e : node.elements()) emit(out, e);
      out << YAML::EndSeq;
      break;
    case ConfigNode::Kind::kMap:
      if (node.size() == 0) out << YAML::Flow;
      out << YAML::BeginMap;
      for (const auto& e : node.entries()) {
        out << YAML::Key << e.key << YAML::Value;
        emit(out, e.value);
      }
      out << YAML::EndMap;
      break;
  }
}

}  // namespace

namespace {

/// Byte offset of the first invalid UTF-8 sequence or control character (other than tab,
/// LF, CR), or npos. YAML streams are printable Unicode; such a byte would not survive
/// emitting the config again.
size_t first_invalid_utf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) return i;  // not printable
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || (n == 2 && c < 0xC2) || i + n > s.size()) return i;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
    }
    if (n == 3) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) return i;  // overlong, surrogates
    }
    if (n == 4) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xF0 && c1 < 0x90) || c > 0xF4 || (c == 0xF4 && c1 >= 0x90)) return i;
    }
    i += n;
  }
  return std::string::npos;
}

}  // namespace

ConfigNode parse_yaml(const std::string& text, const std::string& source_name) {
  if (const size_t bad = first_invalid_utf8(text); bad != std::string::npos) {
    const int64_t line =
        1 + static_cast<int64_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(bad), '\n'));
    const size_t line_start = text.rfind('\n', bad == 0 ? 0 : bad - 1);
    const size_t column = bad - (line_start == std::string::npos || bad == 0 ? 0 : line_start + 1) + 1;
    throw Error(str(source_name, ":", line, ":", column,
                    ": invalid UTF-8 or a control character (YAML files must be printable UTF-8 text)"));
  }
  YAML::Node root;
  try {
    // Line breaks normalised to LF (CRLF and a lone CR are breaks in YAML 1.2; yaml-cpp
    // keeps a lone CR inside a plain scalar, which then does not emit back the same).
    std::string lf;
    lf.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\r') {
        lf += '\n';
        if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      } else {
        lf += text[i];
      }
    }
    root = YAML::Load(lf);
  } catch (const YAML::Exception& e) {
    throw Error(str(loc_of(e.mark, source_name).str(), ": YAML syntax error: ", e.msg));
  }
  // An empty document (no node at all, so no position) is an empty map; "null" or "~"
  // is a real null value.
  if (!root.IsDefined() || (root.IsNull() && root.Mark().is_null()))
    return ConfigNode::map(SourceLoc{source_name, 1, 1});
  return convert(root, source_name);
}

ConfigNode load_yaml_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  ECG_CHECK(in.good(), path.string(), ": cannot open config file");
  std::ostringstream buf;
  buf << in.rdbuf();
  ECG_CHECK(!in.bad(), path.string(), ": read error");
  return parse_yaml(buf.str(), path.string());
}

std::string to_yaml(const ConfigNode& node) {
  YAML::Emitter out;
  out.SetIndent(2);
  emit(out, node);
  std::string s = out.c_str();
  if (s.empty() || s.back() != '\n') s += '\n';
  return s;
}

std::string to_yaml_flow(const ConfigNode& node) {
  YAML::Emitter out;
  out.SetSeqFormat(YAML::Flow);
  out.SetMapFormat(YAML::Flow);
  emit(out, node);
  return out.c_str();
}

}  // namespace ecg::config
