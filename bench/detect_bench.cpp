// detect_bench --model BEATS.pt --record mitdb/208.hea: `ecgtorch detect`'s speed on one
// core. Offline: the whole record through BeatMonitor and batched classification (x real
// time). Streaming: the record in 1 s chunks, each chunk's push + classification timed
// (p50 / p99 ms), as `detect --stream` does per chunk (reading stdin excluded).

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "data/record_io.h"
#include "export/predictor.h"
#include "monitor/beat_classifier.h"
#include "monitor/detect_job.h"
#include "train/registries.h"

int main(int argc, char** argv) {
  std::string model, record;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--model") model = argv[i + 1];
    if (k == "--record") record = argv[i + 1];
  }
  if (model.empty() || record.empty()) {
    std::fprintf(stderr, "usage: detect_bench --model BEATS.pt --record RECORD.hea\n");
    return 2;
  }
  torch::set_num_threads(1);
  using clock = std::chrono::steady_clock;
  const auto regs = ecg::train::make_builtin_registries();
  auto predictor = ecg::exporting::open_predictor(model, *regs);
  const ecg::monitor::BeatClassifier c(*predictor, model);
  const auto r = ecg::data::read_record(record);
  const double duration_s = static_cast<double>(r.num_samples()) / r.fs_hz;
  double best = 1e9;
  size_t beats = 0;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t0 = clock::now();
    beats = ecg::monitor::detect_record(record, c, "").beats.size();
    best = std::min(best, std::chrono::duration<double>(clock::now() - t0).count());
  }
  std::printf("offline: %s, %.0f s, %zu beats in %.3f s: %.0fx real time (one core)\n", record.c_str(), duration_s,
              beats, best, duration_s / best);
  const auto x = r.signal[0].to(torch::kFloat32).contiguous();
  ecg::monitor::BeatMonitor m(c.spec(), r.fs_hz, record);
  const int64_t chunk = static_cast<int64_t>(r.fs_hz);
  std::vector<double> ms;
  std::vector<ecg::monitor::BeatCandidate> ready;
  for (int64_t at = 0; at + chunk <= x.size(0); at += chunk) {
    const auto t0 = clock::now();
    ready.clear();
    m.push(x.data_ptr<float>() + at, chunk, &ready);
    const auto labels = c.classify(ready);
    ms.push_back(std::chrono::duration<double, std::milli>(clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("stream: %zu chunks of 1 s: p50 %.3f ms, p99 %.3f ms, max %.3f ms per chunk\n", ms.size(),
              ms[ms.size() / 2], ms[ms.size() * 99 / 100], ms.back());
  return 0;
}
