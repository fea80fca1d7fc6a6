#pragma once
// RunContext: what a run needs to know about where it runs (device, seed, threads,
// logger, rank). It is created once by a tool and passed explicitly; nothing reads it
// from a global.
//
//   RunContext ctx = RunContext::create(run_options, probe_devices());
//   model->to(ctx.device);

#include <c10/core/Device.h>

#include <cstdint>
#include <memory>

#include "core/device.h"
#include "core/logger.h"
#include "core/run_options.h"

namespace ecg {

struct RunContext {
  c10::Device device = c10::Device(c10::DeviceType::CPU);
  uint64_t seed = 0;
  int64_t threads = 1;
  int64_t rank = 0;
  int64_t world_size = 1;
  std::shared_ptr<Logger> logger;

  /// Resolves the device (throws ecg::Error when it is absent), sets LibTorch's
  /// intra-op thread count (threads=0 means every core) and seeds LibTorch's generators.
  static RunContext create(const RunOptions& options, const DeviceAvailability& available);
};

}  // namespace ecg
