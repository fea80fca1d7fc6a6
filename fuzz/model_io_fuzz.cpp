// The ecgtorch_io description that exported files carry (ONNX metadata, TorchScript extra
// file), and the placement of digitised traces it drives in `ecgtorch predict`.
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "export/model_io.h"
#include "export/predict.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parsed = ecg::fuzz::parse_json(data, size);
  if (!parsed) return 0;
  const nlohmann::json& j = *parsed;
  try {
    const auto io = ecg::exporting::ModelIo::from_json(j, "model.onnx");
    // What we write reads back the same.
    if (ecg::exporting::ModelIo::from_json(io.to_json(), "again").to_json() != io.to_json()) __builtin_trap();
    const int64_t leads = std::min<int64_t>(static_cast<int64_t>(io.lead_order.size()), 16);
    const int64_t width = std::clamp<int64_t>(io.columns, 1, 64);
    if (leads > 0) {
      const auto r = ecg::exporting::traces_to_record(torch::zeros({leads, width}), io, 100.0, "p");
      if (r.num_samples() < 1000) __builtin_trap();  // at least 10 s
    }
  } catch (const ecg::Error&) {
  }
  return 0;
}
