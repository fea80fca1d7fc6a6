// Record I/O speed: reading every WFDB record in the shared data folder (decode, unit
// conversion, checksum verification), MIT annotations, and Kaggle CSV round trips.
// Run from the repository root, or set ECGTORCH_DATA_DIR.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "data/annotations.h"
#include "data/kaggle_csv.h"
#include "data/wfdb.h"

namespace {

namespace fs = std::filesystem;

fs::path data_dir() {
  if (const char* v = std::getenv("ECGTORCH_DATA_DIR")) return v;
  return "../shared/data";
}

std::vector<fs::path> headers() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(data_dir())) {
    if (e.path().extension() == ".hea") out.push_back(e.path());
  }
  return out;
}

void BM_ReadAllSharedRecords(benchmark::State& state) {
  const auto files = headers();
  if (files.empty()) {
    state.SkipWithError("no records under ../shared/data (set ECGTORCH_DATA_DIR)");
    return;
  }
  int64_t samples = 0;
  for (auto _ : state) {
    samples = 0;
    for (const auto& f : files) samples += ecg::data::read_wfdb(f).signal.numel();
  }
  state.counters["records"] = static_cast<double>(files.size());
  state.counters["samples_per_s"] =
      benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ReadAllSharedRecords)->Unit(benchmark::kMillisecond);

void BM_ReadPtbxl500Hz(benchmark::State& state) {
  const auto f = data_dir() / "ptbxl/records500/00000/00001_hr";
  if (!fs::exists(f.string() + ".hea")) {
    state.SkipWithError("PTB-XL record not found");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(ecg::data::read_wfdb(f));
}
BENCHMARK(BM_ReadPtbxl500Hz)->Unit(benchmark::kMicrosecond);

void BM_ReadMitdbAnnotations(benchmark::State& state) {
  const auto f = data_dir() / "mitdb/208.atr";
  if (!fs::exists(f)) {
    state.SkipWithError("mitdb/208.atr not found");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(ecg::data::read_mit_annotations(f));
}
BENCHMARK(BM_ReadMitdbAnnotations)->Unit(benchmark::kMicrosecond);

void BM_KaggleCsvWriteRead(benchmark::State& state) {
  const auto f = data_dir() / "ptbxl/records500/00000/00001_hr";
  if (!fs::exists(f.string() + ".hea")) {
    state.SkipWithError("PTB-XL record not found");
    return;
  }
  const auto r = ecg::data::read_wfdb(f);
  const auto out = fs::temp_directory_path() / "ecgtorch-bench-00001_hr.csv";
  for (auto _ : state) {
    ecg::data::write_kaggle_csv(r, out);
    benchmark::DoNotOptimize(ecg::data::read_kaggle_csv(out));
  }
  fs::remove(out);
}
BENCHMARK(BM_KaggleCsvWriteRead)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
