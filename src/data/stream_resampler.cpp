#include "data/stream_resampler.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace ecg::data {

StreamingResampler::StreamingResampler(double from_hz, double to_hz) {
  ECG_CHECK(from_hz > 0 && to_hz > 0 && from_hz == std::round(from_hz) && to_hz == std::round(to_hz),
            "resample: rates must be positive integers in Hz, got ", from_hz, " and ", to_hz);
  filter_ = polyphase_filter(static_cast<int64_t>(to_hz), static_cast<int64_t>(from_hz));
}

void StreamingResampler::push(const double* x, int64_t n, std::vector<double>* out) {
  ECG_CHECK(!finished_, "StreamingResampler: push after finish");
  if (identity()) {
    out->insert(out->end(), x, x + n);
    received_ += n;
    return;
  }
  history_.insert(history_.end(), x, x + n);
  received_ += n;
  emit(-1, out);
}

void StreamingResampler::finish(std::vector<double>* out) {
  if (finished_) return;
  finished_ = true;
  if (identity()) return;
  emit(filter_.output_length(received_), out);
}

// Emits outputs up to `limit` (exclusive; -1: those whose inputs have all arrived), with
// the inputs after the end counted as zero once finished.
void StreamingResampler::emit(int64_t limit, std::vector<double>* out) {
  while (limit < 0 ? filter_.last_input(next_out_) < received_ : next_out_ < limit) {
    const int64_t lo = filter_.first_input(next_out_);
    const int64_t hi = std::min(filter_.last_input(next_out_), received_ - 1);
    scratch_.assign(static_cast<size_t>(std::max<int64_t>(0, hi - lo + 1)), 0.0);
    for (int64_t k = lo; k <= hi; ++k)
      scratch_[static_cast<size_t>(k - lo)] = history_[static_cast<size_t>(k - first_)];
    out->push_back(filter_.output(next_out_, scratch_.data(), lo, received_));
    ++next_out_;
  }
  // Drop the inputs no later output reads.
  const int64_t keep_from = std::min(filter_.first_input(next_out_), received_);
  while (first_ < keep_from && !history_.empty()) {
    history_.pop_front();
    ++first_;
  }
}

}  // namespace ecg::data
