#pragma once
// StreamingQrsDetector: R peaks of one lead, sample by sample, with a bounded delay.
// Pan & Tompkins 1985 in its causal form, with linear-phase stages so that every delay is
// a whole number of samples:
//   band-pass   a triangular low-pass (two moving sums of 30 ms) and a high-pass (the
//               signal minus its 160 ms moving mean), Pan & Tompkins' integer filters
//               scaled from 200 Hz to fs;
//   derivative  5-point, squared, integrated over a 150 ms moving window;
//   candidates  local maxima of the integrated signal, merged within a 200 ms refractory
//               period (a candidate is final 200 ms after it);
//   decision    the adaptive signal / noise levels (a 2 s learning period sets them);
//               the threshold halves once 1.66 x the mean RR has passed since the last
//               beat (Pan & Tompkins' search-back, applied going forward so the delay stays
//               bounded); a candidate within 360 ms of a beat whose slope is under half
//               that beat's is a T wave;
//   location    the largest |band-passed| sample within +-75 ms of the candidate.
// The peaks do not depend on how the signal is cut into chunks. The filters start as if
// the first sample had lasted forever, so a DC offset makes no start-up transient.
//
//   StreamingQrsDetector d(360);
//   std::vector<int64_t> peaks;
//   d.push(x.data(), x.size(), &peaks);  // appends the peaks decided so far
//   d.finish(&peaks);

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace ecg::data {

class StreamingQrsDetector {
 public:
  /// Throws ecg::Error for fs_hz < 50.
  explicit StreamingQrsDetector(double fs_hz);
  /// Feeds samples (mV); appends the sample index of each R peak decided, increasing.
  void push(const float* x, int64_t n, std::vector<int64_t>* peaks);
  /// The stream has ended: decides what is pending.
  void finish(std::vector<int64_t>* peaks);
  /// After the learning period, an R peak at sample p is reported once sample
  /// p + max_delay_samples() has been pushed.
  int64_t max_delay_samples() const { return delay_mwi_ + locate_ + refractory_ + 1; }
  int64_t learning_samples() const { return learn_; }

 private:
  struct Ring {
    std::vector<double> v;
    double at(int64_t i) const { return v[static_cast<size_t>(i % static_cast<int64_t>(v.size()))]; }
    void set(int64_t i, double x) { v[static_cast<size_t>(i % static_cast<int64_t>(v.size()))] = x; }
  };
  struct Candidate {
    int64_t index = -1;  // in the integrated signal's samples
    double value = 0, slope = 0;
    int64_t r_peak = 0;  // in the input's samples
  };
  void step(double x, std::vector<int64_t>* peaks);
  void close_candidate(std::vector<int64_t>* peaks);
  void decide(const Candidate& c, std::vector<int64_t>* peaks);
  void end_learning(int64_t samples, std::vector<int64_t>* peaks);

  double fs_hz_;
  int64_t lp_len_, hp_len_, mwi_len_, refractory_, locate_, learn_, t_wave_;
  int64_t delay_bp_, delay_mwi_;
  int64_t n_ = 0;
  Ring x_, s1_, lp_, bp_, slope_, sq_, mwi_;
  double s1_sum_ = 0, s2_sum_ = 0, hp_sum_ = 0, mwi_sum_ = 0;
  // Learning period.
  double learn_max_ = 0, learn_sum_ = 0;
  bool learned_ = false;
  std::vector<Candidate> queued_;
  // Decision state.
  Candidate pending_;
  double spk_ = 0, npk_ = 0, rr_mean_ = 0, last_slope_ = 0;
  int64_t rr_count_ = 0, last_qrs_ = -1, last_peak_ = -1;
};

/// The detector over a whole lead [T] (mV): push all, then finish.
std::vector<int64_t> stream_r_peaks(const torch::Tensor& lead, double fs_hz);

}  // namespace ecg::data
