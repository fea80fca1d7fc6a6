#pragma once
// Device selection: "auto", "cpu", "cuda", "cuda:N" or "mps". resolve_device is pure
// (availability is passed in) so that every branch is testable on any machine.

#include <c10/core/Device.h>

#include <cstdint>
#include <string>

namespace ecg {

struct DeviceAvailability {
  int64_t cuda_devices = 0;
  bool mps = false;
};

/// What this process can use now (LibTorch build and visible hardware).
DeviceAvailability probe_devices();

/// "auto" picks cuda:0, then mps, then cpu. Throws ecg::Error when the requested device
/// is absent ("device 'cuda': CUDA is not available ...") or the spelling is unknown.
c10::Device resolve_device(const std::string& spec, const DeviceAvailability& available);

}  // namespace ecg
