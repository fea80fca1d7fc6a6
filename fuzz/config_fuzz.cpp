// The YAML config reader, the emitter round trip, interpolation and the override
// parser. The input is split at the first NUL: YAML before, overrides after (one per
// line), applied to the parsed tree.
#include "core/config_interpolate.h"
#include "core/config_override.h"
#include "core/error.h"
#include "core/strings.h"
#include "core/yaml_io.h"
#include "fuzz_util.h"

namespace {

/// Would a plain scalar with this text read as something other than a string?
bool typed_literal(const std::string& text) {
  const std::string t = ecg::to_lower(text);
  return ecg::parse_int(text).has_value() || ecg::parse_double(text).has_value() || t == "true" || t == "false" ||
         t == "null" || t == "~" || t.empty();
}

/// Equal trees, where a scalar may change from plain to quoted (the emitter must quote a
/// string holding a newline, say) as long as its text cannot be read as a number, bool
/// or null: that changes the presentation, not the value.
bool same_value(const ecg::config::ConfigNode& a, const ecg::config::ConfigNode& b) {
  if (a.kind() != b.kind()) return false;
  if (a.is_scalar()) return a.text() == b.text() && (a.quoted() == b.quoted() || !typed_literal(a.text()));
  if (a.is_sequence()) {
    if (a.elements().size() != b.elements().size()) return false;
    for (size_t i = 0; i < a.elements().size(); ++i) {
      if (!same_value(a.elements()[i], b.elements()[i])) return false;
    }
    return true;
  }
  if (a.is_map()) {
    if (a.entries().size() != b.entries().size()) return false;
    for (size_t i = 0; i < a.entries().size(); ++i) {
      if (a.entries()[i].key != b.entries()[i].key || !same_value(a.entries()[i].value, b.entries()[i].value))
        return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = ecg::fuzz::as_text(data, size);
  const auto nul = text.find('\0');
  const std::string yaml = text.substr(0, nul);
  const std::string overrides = nul == std::string::npos ? "" : text.substr(nul + 1);
  ecg::config::ConfigNode root = ecg::config::ConfigNode::map();
  try {
    root = ecg::config::parse_yaml(yaml, "fuzz.yaml");
    // What we emit must read back to the same values, and emitting is then stable.
    const std::string once = ecg::config::to_yaml(root);
    const auto back = ecg::config::parse_yaml(once, "emitted");
    if (!same_value(root, back)) __builtin_trap();
    if (ecg::config::to_yaml(back) != once) __builtin_trap();
  } catch (const ecg::Error&) {
    return 0;
  }
  int64_t index = 0;
  for (const auto& line : ecg::split(overrides, '\n')) {
    try {
      const auto ov = ecg::config::parse_override(line, ++index);
      ecg::config::apply_override(root, ov, nullptr);
    } catch (const ecg::Error&) {
    }
  }
  try {
    ecg::config::resolve_interpolations(root, [](const std::string& name) -> std::optional<std::string> {
      if (name == "HOME") return std::string("/home/x");
      return std::nullopt;
    });
  } catch (const ecg::Error&) {
  }
  return 0;
}
