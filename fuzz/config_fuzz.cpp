// The YAML config reader, the emitter round trip, interpolation and the override
// parser. The input is split at the first NUL: YAML before, overrides after (one per
// line), applied to the parsed tree.
#include "core/config_interpolate.h"
#include "core/config_override.h"
#include "core/error.h"
#include "core/strings.h"
#include "core/yaml_io.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = ecg::fuzz::as_text(data, size);
  const auto nul = text.find('\0');
  const std::string yaml = text.substr(0, nul);
  const std::string overrides = nul == std::string::npos ? "" : text.substr(nul + 1);
  ecg::config::ConfigNode root = ecg::config::ConfigNode::map();
  try {
    root = ecg::config::parse_yaml(yaml, "fuzz.yaml");
    // What we emit must read back to the same tree.
    const auto back = ecg::config::parse_yaml(ecg::config::to_yaml(root), "emitted");
    if (!(back == root)) __builtin_trap();
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
