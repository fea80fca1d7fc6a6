// The page ground-truth JSON reader (ours and ecg-image-kit's).
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "fuzz_util.h"
#include "render/ground_truth.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parsed = ecg::fuzz::parse_json(data, size);
  if (!parsed) return 0;
  const nlohmann::json& j = *parsed;
  try {
    const auto t = ecg::render::page_truth_from_json(j, "gt.json");
    (void)t;
  } catch (const ecg::Error&) {
  }
  return 0;
}
