// Page rendering speed on one core (OpenCV and LibTorch limited to one thread), for a
// 2200 x 1700 page (letter, 200 dpi) of a synthesised 12-lead record:
//   clean page in memory; each preset's artefacts (in memory); clean + PNG encode;
//   mixed + PNG encode. The record is synthesised once, outside the timing.
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/allocator.h"
#include "core/config_loader.h"
#include "core/yaml_io.h"
#include "data/synth.h"
#include "render/page_dataset.h"
#include "render/synth_job.h"

#ifndef ECGTORCH_SOURCE_CONFIG_DIR
#include "ecgtorch_source_paths.h"
#endif

namespace {

using namespace ecg;

struct Fixture {
  data::SynthEcg ecg = data::synthesize(data::synth_class_options("sinus", 1));
  render::ArtefactRegistry registry{"artefact"};
  Fixture() {
    cv::setNumThreads(1);
    at::set_num_threads(1);
    render::register_builtin_artefacts(registry);
  }
  render::SynthJob preset(const std::string& name) {
    const auto schema = render::synth_schema(registry);
    const std::filesystem::path file = std::filesystem::path(ECGTORCH_SOURCE_CONFIG_DIR) / "synth" / (name + ".yaml");
    return render::read_synth_job(config::load_config(config::ConfigRequest{file, {}, {}, {}}, &schema), registry);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void run(benchmark::State& state, const std::string& preset, bool png) {
  auto& f = fixture();
  const auto job = f.preset(preset);
  const render::PageRenderer renderer(job.page);
  uint64_t seed = 0;
  std::vector<uint8_t> buf;
  size_t bytes = 0;
  for (auto _ : state) {
    auto page = render::render_page(renderer, *job.artefacts, f.ecg.record, seed++, &f.ecg.beats);
    if (png) {
      cv::imencode(".png", page.image, buf, {cv::IMWRITE_PNG_COMPRESSION, 1});
      bytes += buf.size();
    }
    benchmark::DoNotOptimize(page.image.data);
  }
  if (png) state.counters["png_kB"] = static_cast<double>(bytes) / 1024.0 / static_cast<double>(state.iterations());
}

// Where a clean page's time goes: the same page without one of its parts.
void run_options(benchmark::State& state, const render::PageOptions& o) {
  auto& f = fixture();
  const render::PageRenderer renderer(o);
  uint64_t seed = 0;
  for (auto _ : state) benchmark::DoNotOptimize(renderer.render(f.ecg.record, seed++, &f.ecg.beats).image.data);
}
void BM_CleanNoGrid(benchmark::State& s) {
  run_options(s, render::PageOptions().grid("none"));
}
void BM_CleanNoText(benchmark::State& s) {
  run_options(s, render::PageOptions().lead_labels(false).header(false).footer(false));
}
BENCHMARK(BM_CleanNoGrid)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CleanNoText)->Unit(benchmark::kMillisecond);

void BM_Clean(benchmark::State& s) {
  run(s, "clean", false);
}
void BM_Scan(benchmark::State& s) {
  run(s, "scan", false);
}
void BM_Photo(benchmark::State& s) {
  run(s, "photo", false);
}
void BM_Screen(benchmark::State& s) {
  run(s, "screen", false);
}
void BM_Damaged(benchmark::State& s) {
  run(s, "damaged", false);
}
void BM_Mixed(benchmark::State& s) {
  run(s, "mixed", false);
}
void BM_CleanPng(benchmark::State& s) {
  run(s, "clean", true);
}
void BM_MixedPng(benchmark::State& s) {
  run(s, "mixed", true);
}

BENCHMARK(BM_Clean)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Scan)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Photo)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Screen)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Damaged)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Mixed)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CleanPng)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MixedPng)->Unit(benchmark::kMillisecond);

// Each artefact alone (p = 1) on a copy of one clean page; the copy is inside the timing.
void run_artefact(benchmark::State& state, const std::string& name) {
  auto& f = fixture();
  const render::PageRenderer renderer(render::PageOptions{});
  const render::Page clean = renderer.render(f.ecg.record, 1, &f.ecg.beats);
  const render::ArtefactPipeline pipeline(f.registry, config::parse_yaml("[{name: " + name + ", p: 1}]", "bench"),
                                          "artefacts");
  uint64_t seed = 0;
  for (auto _ : state) {
    render::Page page = clean;
    page.image = clean.image.clone();
    pipeline.apply(page, seed++);
    benchmark::DoNotOptimize(page.image.data);
  }
}

// The on-the-fly training dataset: one example (mixed preset, rendered at 2200 x 1700,
// resized to 512 x 384, targets and keypoints; with masks).
void BM_DatasetMixed512(benchmark::State& state, bool masks) {
  data::DatasetRegistry r("dataset");
  render::register_render_datasets(r);
  const auto ds = r.create(
      config::parse_yaml(std::string("{name: synth_pages, preset: mixed, masks: ") + (masks ? "true" : "false") + "}",
                         "bench"),
      "data");
  int64_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(ds->get(i++).input.data_ptr());
}
BENCHMARK_CAPTURE(BM_DatasetMixed512, targets, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_DatasetMixed512, with_masks, true)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  ecg::tune_allocator();  // as the CLI does
  for (const auto& name : fixture().registry.names())
    benchmark::RegisterBenchmark(("BM_Artefact/" + name).c_str(), run_artefact, name)->Unit(benchmark::kMillisecond);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
