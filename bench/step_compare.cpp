// C++ side of the C++ vs Python train-step comparison, with the protocol of
// bench/step_timing.py: a step is zero_grad, forward, loss = sum of the outputs, backward
// and an AdamW update (lr 1e-3, weight decay 1e-2); every core; warm-up steps, then the
// median of ITERS steps. Models and batches as bench/resnet1d_step.py (32 x 12 x 1000,
// 3 + 30 steps), bench/digitizer_step.py (2 x 3 x 512 x 2048, 2 + 10) and
// bench/signal_cnn1d_step.py (64 x 1 x 360, 20 + 300). The allocator is tuned as the CLI
// does; run the Python side with the MALLOC_* variables its header gives.
//   build/bench/step_compare [resnet1d|digitizer_unet|signal_cnn1d]

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

struct StepTiming {
  double median_ms = 0;
  double min_ms = 0;
  int64_t params = 0;
};

StepTiming median_step_ms(const std::string& spec, const std::vector<int64_t>& shape, int warmup, int iters) {
  ecg::models::ModelRegistry reg("model");
  ecg::models::register_builtin_models(reg);
  auto m = reg.create(ecg::config::parse_yaml(spec, "bench"), "model");
  const auto x = torch::randn(shape);
  torch::optim::AdamW opt(m->parameters(), torch::optim::AdamWOptions(1e-3).weight_decay(1e-2));
  auto step = [&] {
    opt.zero_grad();
    m->forward(x).sum().backward();
    opt.step();
  };
  for (int i = 0; i < warmup; ++i) step();
  std::vector<double> ms;
  for (int i = 0; i < iters; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    step();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  int64_t params = 0;
  for (const auto& p : m->parameters()) params += p.numel();
  return {ms[ms.size() / 2], ms.front(), params};
}

}  // namespace

int main(int argc, char** argv) {
  ecg::tune_allocator();
  at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  const std::string which = argc > 1 ? argv[1] : "";
  const char* env = std::getenv("ITERS");
  struct Case {
    const char* model;
    const char* batch;
    std::vector<int64_t> shape;
    int warmup, iters;
  };
  const std::vector<Case> cases = {{"resnet1d", "b32x12x1000", {32, 12, 1000}, 3, 30},
                                   {"digitizer_unet", "b2x3x512x2048", {2, 3, 512, 2048}, 2, 10},
                                   {"signal_cnn1d", "b64x1x360", {64, 1, 360}, 20, 300}};
  if (!which.empty() && std::none_of(cases.begin(), cases.end(), [&](const Case& c) { return which == c.model; })) {
    std::fprintf(stderr, "step_compare: unknown model '%s' (resnet1d, digitizer_unet or signal_cnn1d)\n",
                 which.c_str());
    return 2;
  }
  for (const auto& c : cases) {
    if (!which.empty() && which != c.model) continue;
    const StepTiming t =
        median_step_ms(std::string("name: ") + c.model, c.shape, c.warmup, env ? std::atoi(env) : c.iters);
    std::printf("c++ %s %s train step: median %.3f ms, min %.3f ms (params %lld)\n", c.model, c.batch, t.median_ms,
                t.min_ms, static_cast<long long>(t.params));
  }
  return 0;
}
