#include "core/device.h"

#include <ATen/Context.h>
#include <torch/cuda.h>

#include <cctype>

#include "core/error.h"

namespace ecg {

DeviceAvailability probe_devices() {
  DeviceAvailability a;
  a.cuda_devices = static_cast<int64_t>(torch::cuda::device_count());
  a.mps = at::hasMPS();
  return a;
}

c10::Device resolve_device(const std::string& spec, const DeviceAvailability& available) {
  if (spec == "auto") {
    if (available.cuda_devices > 0) return c10::Device(c10::DeviceType::CUDA, 0);
    if (available.mps) return c10::Device(c10::DeviceType::MPS);
    return c10::Device(c10::DeviceType::CPU);
  }
  if (spec == "cpu") return c10::Device(c10::DeviceType::CPU);
  if (spec == "mps") {
    ECG_CHECK(available.mps,
              "device 'mps': MPS is not available (it needs Apple silicon and a LibTorch built with MPS)");
    return c10::Device(c10::DeviceType::MPS);
  }
  if (spec == "cuda" || spec.rfind("cuda:", 0) == 0) {
    int64_t index = 0;
    if (spec.size() > 4) {
      const std::string num = spec.substr(5);
      const bool digits = !num.empty() && num.size() <= 4 &&
                          std::all_of(num.begin(), num.end(), [](unsigned char c) { return std::isdigit(c); });
      ECG_CHECK(digits, "device '", spec, "': expected cuda:N with N a device index");
      index = std::stoll(num);
    }
    ECG_CHECK(
        available.cuda_devices > 0, "device '", spec,
        "': CUDA is not available (this LibTorch has no CUDA support or no GPU is visible); use device=cpu or auto");
    ECG_CHECK(index < available.cuda_devices, "device '", spec, "': only ", available.cuda_devices,
              " CUDA device(s) visible (cuda:0..cuda:", available.cuda_devices - 1, ")");
    return c10::Device(c10::DeviceType::CUDA, static_cast<c10::DeviceIndex>(index));
  }
  throw Error(str("device '", spec, "': expected auto, cpu, cuda, cuda:N or mps"));
}

}  // namespace ecg
