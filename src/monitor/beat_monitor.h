#pragma once
// BeatMonitor: a lead's samples in, beat windows out, one chunk at a time. The one engine
// behind both `ecgtorch detect` runs: offline pushes the whole record and finishes, a
// stream pushes each chunk as it comes; the windows (and so the labels) are the same.
//   input rate  -> StreamingResampler -> the model's rate (BeatWindowSpec::fs_hz)
//               -> StreamingQrsDetector -> R peaks
//               -> each window cut by beat_window_values() once its last sample is in.
// A window is ready at most spec.after + detector delay samples (model rate) after its R
// peak; memory is bounded (a few seconds of samples) however long the stream.
// The signal is checked as it goes: the first 10 s, and at the end the whole signal,
// must be neither flat (peak-to-peak under 0.02 mV) nor saturated (a quarter or more of
// the samples at its extreme values); else ecg::Error naming the source.
//
//   BeatMonitor m(spec, /*input_fs_hz=*/128, "svdb/800");
//   std::vector<BeatCandidate> ready;
//   m.push(chunk.data(), chunk.size(), &ready);
//   m.finish(&ready);

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "data/beat_window.h"
#include "data/qrs_stream.h"
#include "data/stream_resampler.h"

namespace ecg::monitor {

struct BeatCandidate {
  int64_t sample = 0;         // R peak, in samples of the input (its own rate): round(time_s * input rate)
  double time_s = 0;          // R peak, s, at the precision of the model's rate
  std::vector<float> window;  // spec.length() values, normalised
};

class BeatMonitor {
 public:
  BeatMonitor(data::BeatWindowSpec spec, double input_fs_hz, std::string source);
  /// x: samples in mV at the input rate. Appends the windows that became complete.
  void push(const float* x, int64_t n, std::vector<BeatCandidate>* ready);
  void finish(std::vector<BeatCandidate>* ready);
  int64_t samples_seen() const { return input_n_; }
  /// The longest wait from an R peak to its window, in seconds (after the 2 s learning period).
  double max_delay_s() const;

 private:
  struct Extremes {
    double lo = 0, hi = 0;
    int64_t n_lo = 0, n_hi = 0, n = 0;
    void add(double x);
    std::string problem() const;  // empty when fine
  };
  void emit(std::vector<BeatCandidate>* ready);

  data::BeatWindowSpec spec_;
  double input_fs_;
  std::string source_;
  data::StreamingResampler resampler_;
  data::StreamingQrsDetector qrs_;
  std::deque<float> samples_;  // model-rate samples first_ .. model_n_ - 1
  int64_t first_ = 0, model_n_ = 0, input_n_ = 0, keep_ = 0;
  std::deque<int64_t> peaks_;  // detected, window not yet complete
  std::vector<int64_t> found_;
  std::vector<double> resampled_, in_;
  std::vector<float> model_chunk_;
  Extremes first_block_, whole_;
  int64_t block_len_ = 0;
  bool finished_ = false;
};

}  // namespace ecg::monitor
