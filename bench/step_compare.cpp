// C++ side of the C++ vs Python train-step comparison: forward + backward (loss = sum of
// the outputs) of resnet1d (batch 32 x 12 x 1000) and digitizer_unet (batch 2 x 3 x 512
// x 2048) with the same protocol as bench/resnet1d_step.py and bench/digitizer_step.py:
// every core, 2 (digitiser) or 3 (resnet1d) warm-up steps, then the median of ITERS
// steps (default 10 / 30). The allocator is tuned as the CLI does; run the Python side
// with the MALLOC_* variables its header gives.
//   build/bench/step_compare [resnet1d|digitizer_unet]

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "core/allocator.h"
#include "core/yaml_io.h"
#include "models/register_builtin_models.h"

namespace {

double median_step_ms(const std::string& spec, const std::vector<int64_t>& shape, int warmup, int iters) {
  ecg::models::ModelRegistry reg("model");
  ecg::models::register_builtin_models(reg);
  auto m = reg.create(ecg::config::parse_yaml(spec, "bench"), "model");
  const auto x = torch::randn(shape);
  auto step = [&] {
    m->zero_grad();
    m->forward(x).sum().backward();
  };
  for (int i = 0; i < warmup; ++i) step();
  std::vector<double> ms;
  for (int i = 0; i < iters; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    step();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  ecg::tune_allocator();
  at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  const std::string which = argc > 1 ? argv[1] : "";
  const char* env = std::getenv("ITERS");
  if (which.empty() || which == "resnet1d") {
    const double ms = median_step_ms("name: resnet1d", {32, 12, 1000}, 3, env ? std::atoi(env) : 30);
    std::printf("c++ resnet1d b32x12x1000 fwd+bwd: median %.2f ms\n", ms);
  }
  if (which.empty() || which == "digitizer_unet") {
    const double ms = median_step_ms("name: digitizer_unet", {2, 3, 512, 2048}, 2, env ? std::atoi(env) : 10);
    std::printf("c++ digitizer_unet b2x3x512x2048 fwd+bwd: median %.1f ms\n", ms);
  }
  return 0;
}
