// The SHA256SUMS parser and the JSON manifest reader.
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "datamgr/manifest.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = ecg::fuzz::as_text(data, size);
  try {
    const auto m = ecg::datamgr::parse_sha256sums(text, "SHA256SUMS.txt");
    // What we write must parse back to the same list.
    const auto back = ecg::datamgr::parse_sha256sums(ecg::datamgr::to_sha256sums(m), "written");
    if (back.files.size() != m.files.size()) __builtin_trap();
  } catch (const ecg::Error&) {
  }
  try {
    const auto m = ecg::datamgr::manifest_from_json(nlohmann::json::parse(text), "m.json");
    (void)m;
  } catch (const ecg::Error&) {
  } catch (const nlohmann::json::exception&) {
  }
  return 0;
}
