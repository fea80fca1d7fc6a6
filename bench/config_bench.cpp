// Config-system speed: composing, overriding, resolving and checking a job config, as
// every `ecgtorch` command and every sweep trial does at start-up.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>

#include "core/config_loader.h"
#include "core/yaml_io.h"
#include "ecgtorch_source_paths.h"  // generated: ECGTORCH_SOURCE_CONFIG_DIR
#include "train/registries.h"

namespace {

const std::filesystem::path kConfigs = ECGTORCH_SOURCE_CONFIG_DIR;

std::filesystem::path job_file() {
  const auto dir = std::filesystem::temp_directory_path() / "ecgtorch-bench";
  std::filesystem::create_directories(dir);
  const auto f = dir / "job.yaml";
  std::ofstream(f) << "defaults:\n  - base\n  - loss: smooth_l1\n  - _self_\n"
                      "experiment: bench-${seed}\nrun_dir: ${runs_root}/${experiment}/fixed\n";
  return f;
}

void BM_LoadJobConfig(benchmark::State& state) {
  const auto regs = ecg::train::make_builtin_registries();
  const auto schema = ecg::train::job_schema(*regs);
  const ecg::config::ConfigRequest req{job_file(), {"optimizer=sgd", "optimizer.lr=0.5", "seed=3"}, {kConfigs}, {}};
  for (auto _ : state) benchmark::DoNotOptimize(ecg::config::load_config(req, &schema));
}
BENCHMARK(BM_LoadJobConfig)->Unit(benchmark::kMicrosecond);

void BM_ParseAndEmitYaml(benchmark::State& state) {
  const auto regs = ecg::train::make_builtin_registries();
  const auto schema = ecg::train::job_schema(*regs);
  const auto cfg = ecg::config::load_config({job_file(), {}, {kConfigs}, {}}, &schema);
  const std::string text = ecg::config::to_yaml(cfg);
  for (auto _ : state) benchmark::DoNotOptimize(ecg::config::to_yaml(ecg::config::parse_yaml(text, "bench")));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseAndEmitYaml)->Unit(benchmark::kMicrosecond);

void BM_MakeRegistries(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ecg::train::make_builtin_registries());
}
BENCHMARK(BM_MakeRegistries)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
