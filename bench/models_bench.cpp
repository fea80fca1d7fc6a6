// Forward + backward time per batch on CPU for each default model (threads: every core).
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <thread>

#include "core/yaml_io.h"
#include "models/register_builtin_models.h"

namespace {

// Cross-entropy on random labels for classifiers; for set predictors (vit_detr) a plain
// sum of the outputs, which costs the same backward pass.
void run(benchmark::State& state, const std::string& spec, std::vector<int64_t> input, bool classifier = true) {
  at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  ecg::models::ModelRegistry r("model");
  ecg::models::register_builtin_models(r);
  auto m = r.create(ecg::config::parse_yaml(spec, "bench"), "model");
  const auto x = torch::randn(input);
  const auto y = torch::randint(0, 5, {input[0]}, torch::kLong);
  auto loss = [&] { return classifier ? torch::cross_entropy_loss(m->forward(x), y) : m->forward(x).sum(); };
  for (int i = 0; i < 2; ++i) loss().backward();  // warm-up
  for (auto _ : state) {
    m->zero_grad();
    loss().backward();
  }
  state.counters["params"] = static_cast<double>(ecg::models::parameter_count(*m));
}

void BM_SignalCnn1d_b64x1x360(benchmark::State& s) {
  run(s, "name: signal_cnn1d", {64, 1, 360});
}
void BM_ResNet1d_b32x12x1000(benchmark::State& s) {
  run(s, "name: resnet1d", {32, 12, 1000});
}
void BM_ResNet18_b8x3x224x224(benchmark::State& s) {
  run(s, "name: resnet", {8, 3, 224, 224});
}
void BM_MobileNetV2_b8x3x224x224(benchmark::State& s) {
  run(s, "name: mobilenet_v2", {8, 3, 224, 224});
}
void BM_Vit_b8x3x224x224(benchmark::State& s) {
  run(s, "name: vit", {8, 3, 224, 224});
}
void BM_VitDetr_b8x3x64x256(benchmark::State& s) {
  run(s, "name: vit_detr", {8, 3, 64, 256}, /*classifier=*/false);
}
BENCHMARK(BM_SignalCnn1d_b64x1x360)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ResNet1d_b32x12x1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ResNet18_b8x3x224x224)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MobileNetV2_b8x3x224x224)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Vit_b8x3x224x224)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_VitDetr_b8x3x64x256)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
