// Forward + backward time per batch on CPU for each default model (threads: every core).
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <thread>

#include "core/yaml_io.h"
#include "models/multimodal.h"
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

// multimodal with all three modalities: a 128 x 256 page, a 12 x 1000 signal, 3 numeric
// and 2 categorical fields; binary cross-entropy on 5 labels.
void BM_Multimodal_b8(benchmark::State& state) {
  at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  ecg::models::ModelRegistry r("model");
  ecg::models::register_builtin_models(r);
  auto m = std::dynamic_pointer_cast<ecg::models::MultimodalImpl>(
      r.create(ecg::config::parse_yaml("name: multimodal", "bench"), "model"));
  const int64_t b = 8;
  ecg::models::MultimodalInputs in{torch::rand({b, 3, 128, 256}),
                                   torch::randn({b, 12, 1000}),
                                   torch::randn({b, 3}),
                                   torch::randint(0, 2, {b, 2}, torch::kLong),
                                   {}};
  const auto y = torch::randint(0, 2, {b, 5}).to(torch::kFloat);
  auto loss = [&] { return torch::binary_cross_entropy_with_logits(m->forward(in).narrow(1, 0, 5), y); };
  for (int i = 0; i < 2; ++i) loss().backward();
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
// A 512 x 2048 page crop, MSE-like sum over the mV traces.
void BM_DigitizerUnet_b2x3x512x2048(benchmark::State& s) {
  run(s, "name: digitizer_unet", {2, 3, 512, 2048}, /*classifier=*/false);
}
void BM_DigitizerUnetMobileNet_b2x3x512x2048(benchmark::State& s) {
  run(s, "name: digitizer_unet\nencoder: mobilenet_v2", {2, 3, 512, 2048}, /*classifier=*/false);
}
BENCHMARK(BM_SignalCnn1d_b64x1x360)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ResNet1d_b32x12x1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ResNet18_b8x3x224x224)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MobileNetV2_b8x3x224x224)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Vit_b8x3x224x224)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_VitDetr_b8x3x64x256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DigitizerUnet_b2x3x512x2048)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DigitizerUnetMobileNet_b2x3x512x2048)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Multimodal_b8)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
