#include "core/run_context.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/utils.h>

#include <thread>

namespace ecg {

RunContext RunContext::create(const RunOptions& options, const DeviceAvailability& available) {
  RunContext ctx;
  ctx.device = resolve_device(options.device(), available);
  ctx.seed = static_cast<uint64_t>(options.seed());
  // LibTorch defaults to hardware_concurrency()/2 threads, 1 on a 2-core machine.
  const int64_t cores = std::max<int64_t>(1, static_cast<int64_t>(std::thread::hardware_concurrency()));
  ctx.threads = options.threads() > 0 ? options.threads() : cores;
  ctx.logger = std::make_shared<Logger>(parse_log_level(options.log_level()));
  at::set_num_threads(static_cast<int>(ctx.threads));
  torch::manual_seed(ctx.seed);
  if (available.cuda_devices > 0) torch::cuda::manual_seed_all(ctx.seed);
  return ctx;
}

}  // namespace ecg
