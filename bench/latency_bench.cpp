// Inference latency of exported models, p50 and p99 per call, batch 1:
//   signal_cnn1d on a 1 s window (1 lead x 360 samples at MIT-BIH's 360 Hz), one thread;
//   digitizer_unet (the quickstart's) on a 384 x 512 page, one thread and every core.
// For each: LibTorch eager (under InferenceMode), the TorchScript file loaded with
// torch::jit::load, and the ONNX file in ONNX Runtime (onnxruntime-node; its timings are
// taken inside node around session.run, so process start and file transfer are excluded).
// Weights are random: they do not change the time. Prints a Markdown table.
//   build/bench/latency_bench [--runs N]

#include <ATen/Parallel.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <thread>

#include "core/allocator.h"
#include "core/yaml_io.h"
#include "export/onnx_export.h"
#include "export/onnx_runtime.h"
#include "export/trace.h"
#include "models/register_builtin_models.h"

namespace {

namespace fs = std::filesystem;
using ecg::exporting::OnnxOptions;

struct Stats {
  double p50 = 0, p99 = 0;
};

Stats stats(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<size_t>(q * static_cast<double>(ms.size())))];
  };
  return {at(0.50), at(0.99)};
}

std::vector<double> time_calls(int runs, const std::function<void()>& fn) {
  for (int i = 0; i < std::max(5, runs / 20); ++i) fn();  // warm-up (oneDNN primitives)
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return ms;
}

void row(const std::string& model, const std::string& runtime, int threads, const Stats& s) {
  std::printf("| %s | %s | %d | %.3f | %.3f |\n", model.c_str(), runtime.c_str(), threads, s.p50, s.p99);
  std::fflush(stdout);
}

void bench(const std::string& name, const std::string& spec, const std::vector<int64_t>& shape, int threads, int runs,
           const fs::path& dir) {
  at::set_num_threads(threads);
  ecg::models::ModelRegistry reg("model");
  ecg::models::register_builtin_models(reg);
  torch::manual_seed(0);
  auto m = reg.create(ecg::config::parse_yaml(spec, "bench"), "model");
  m->eval();
  const auto x = torch::randn(shape);
  {
    c10::InferenceMode guard;
    row(name, "LibTorch eager", threads, stats(time_calls(runs, [&] { m->forward(x); })));
  }
  auto traced = ecg::exporting::trace_model(*m, {x}, {});
  const fs::path pt = dir / (name + ".pt"), onnx = dir / (name + ".onnx");
  traced.save(pt.string());
  auto loaded = torch::jit::load(pt.string());
  loaded.eval();
  {
    c10::InferenceMode guard;
    std::vector<c10::IValue> args{x};
    row(name, "TorchScript", threads, stats(time_calls(runs, [&] { loaded.forward(args); })));
  }
  OnnxOptions o;
  o.input_names = {"input"};
  ecg::exporting::save_onnx(ecg::exporting::to_onnx(traced, o), onnx);
  if (const auto why = ecg::exporting::onnx_runtime_missing()) {
    std::printf("| %s | ONNX Runtime | %d | skipped: %s | |\n", name.c_str(), threads, why->c_str());
    return;
  }
  const auto r = ecg::exporting::run_onnx_runtime(onnx, {"input"}, {x}, runs, threads);
  row(name, "ONNX Runtime 1.30 (node)", threads, stats(r.times_ms));
}

}  // namespace

int main(int argc, char** argv) {
  ecg::tune_allocator();  // as the CLI does
  int runs = 2000;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--runs") runs = std::stoi(argv[i + 1]);
  std::string tmpl = (fs::temp_directory_path() / "ecgtorch-latency-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) return 1;
  const fs::path dir = tmpl;
  std::printf("| model | runtime | threads | p50 ms | p99 ms |\n| --- | --- | --- | --- | --- |\n");
  bench("signal_cnn1d, 1 x 360", "{name: signal_cnn1d}", {1, 1, 360}, 1, runs, dir);
  const std::string digitizer = "{name: digitizer_unet, widths: [16, 32, 64, 128]}";
  const int page_runs = std::max(10, runs / 40);
  bench("digitizer_unet, 3 x 384 x 512", digitizer, {1, 3, 384, 512}, 1, page_runs, dir);
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (cores > 1) bench("digitizer_unet, 3 x 384 x 512", digitizer, {1, 3, 384, 512}, cores, page_runs, dir);
  fs::remove_all(dir);
  return 0;
}
