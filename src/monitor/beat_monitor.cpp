#include "monitor/beat_monitor.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/error.h"

namespace ecg::monitor {

void BeatMonitor::Extremes::add(double x) {
  if (n == 0 || x < lo) lo = x, n_lo = 0;
  if (n == 0 || x > hi) hi = x, n_hi = 0;
  if (x == lo) ++n_lo;
  if (x == hi) ++n_hi;
  ++n;
}

std::string BeatMonitor::Extremes::problem() const {
  if (n == 0) return "";
  std::ostringstream s;
  s.precision(3);
  if (hi - lo < 0.02) {
    s << std::fixed << "the signal is flat (peak-to-peak " << hi - lo << " mV)";
    return s.str();
  }
  const double at_extremes = static_cast<double>(n_lo + n_hi) / static_cast<double>(n);
  if (at_extremes >= 0.25) {
    s << std::fixed << "the signal is saturated (" << 100 * at_extremes << " % of the samples at " << lo << " or " << hi
      << " mV)";
    return s.str();
  }
  return "";
}

BeatMonitor::BeatMonitor(data::BeatWindowSpec spec, double input_fs_hz, std::string source)
    : spec_(std::move(spec)),
      input_fs_(input_fs_hz),
      source_(std::move(source)),
      resampler_(input_fs_hz, spec_.fs_hz),
      qrs_(spec_.fs_hz) {
  keep_ = qrs_.learning_samples() + qrs_.max_delay_samples() + spec_.length() + 64;
  block_len_ = std::max<int64_t>(1, std::llround(10 * input_fs_hz));
}

double BeatMonitor::max_delay_s() const {
  return static_cast<double>(std::max(spec_.after, qrs_.max_delay_samples())) / spec_.fs_hz;
}

void BeatMonitor::push(const float* x, int64_t n, std::vector<BeatCandidate>* ready) {
  ECG_CHECK(!finished_, source_, ": samples after the end");
  in_.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    ECG_CHECK(std::isfinite(x[i]), source_, ": sample ", input_n_ + i, " is not a finite number");
    in_[static_cast<size_t>(i)] = x[i];
    whole_.add(x[i]);
    if (input_n_ + i < block_len_) {
      first_block_.add(x[i]);
      if (input_n_ + i + 1 == block_len_) {
        const auto p = first_block_.problem();
        ECG_CHECK(p.empty(), source_, ": ", p, " over the first 10 s");
      }
    }
  }
  input_n_ += n;
  resampled_.clear();
  resampler_.push(in_.data(), n, &resampled_);
  model_chunk_.assign(resampled_.begin(), resampled_.end());
  samples_.insert(samples_.end(), model_chunk_.begin(), model_chunk_.end());
  model_n_ += static_cast<int64_t>(model_chunk_.size());
  found_.clear();
  qrs_.push(model_chunk_.data(), static_cast<int64_t>(model_chunk_.size()), &found_);
  peaks_.insert(peaks_.end(), found_.begin(), found_.end());
  emit(ready);
}

void BeatMonitor::finish(std::vector<BeatCandidate>* ready) {
  if (finished_) return;
  finished_ = true;
  resampled_.clear();
  resampler_.finish(&resampled_);
  model_chunk_.assign(resampled_.begin(), resampled_.end());
  samples_.insert(samples_.end(), model_chunk_.begin(), model_chunk_.end());
  model_n_ += static_cast<int64_t>(model_chunk_.size());
  found_.clear();
  qrs_.push(model_chunk_.data(), static_cast<int64_t>(model_chunk_.size()), &found_);
  qrs_.finish(&found_);
  peaks_.insert(peaks_.end(), found_.begin(), found_.end());
  emit(ready);
  const auto p = whole_.problem();
  ECG_CHECK(p.empty(), source_, ": ", p);
  peaks_.clear();  // too near the end for a whole window
}

void BeatMonitor::emit(std::vector<BeatCandidate>* ready) {
  while (!peaks_.empty() && peaks_.front() + spec_.after <= model_n_) {
    const int64_t p = peaks_.front();
    peaks_.pop_front();
    if (p - spec_.before < first_) continue;  // too near the start
    std::vector<float> raw(samples_.begin() + (p - spec_.before - first_),
                           samples_.begin() + (p + spec_.after - first_));
    BeatCandidate c;
    c.window.resize(raw.size());
    data::beat_window_values(raw.data(), spec_, c.window.data());
    c.time_s = static_cast<double>(p) / spec_.fs_hz;
    c.sample = static_cast<int64_t>(std::llround(static_cast<double>(p) * input_fs_ / spec_.fs_hz));
    ready->push_back(std::move(c));
  }
  while (model_n_ - first_ > keep_) {
    samples_.pop_front();
    ++first_;
  }
}

}  // namespace ecg::monitor
