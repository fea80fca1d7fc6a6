#pragma once
// StreamingResampler: resample_poly (dsp.h) one chunk at a time. The samples it gives are
// those resample_poly gives for the whole series, to the bit, however the input is cut
// into chunks: each output sample is emitted once every input it reads has arrived, and
// finish() emits the tail, where resample_poly counts the samples after the end as zero.
// Memory is bounded by the filter length, not by the stream's length.
//
//   StreamingResampler r(128, 360);          // input rate, output rate (integer Hz)
//   std::vector<double> out;
//   r.push(chunk.data(), chunk.size(), &out);  // appends what is now complete
//   r.finish(&out);                           // the last samples

#include <cstdint>
#include <deque>
#include <vector>

#include "data/dsp.h"

namespace ecg::data {

class StreamingResampler {
 public:
  /// Throws ecg::Error for rates that are not positive integers.
  StreamingResampler(double from_hz, double to_hz);
  bool identity() const { return filter_.up == 1 && filter_.down == 1; }
  void push(const double* x, int64_t n, std::vector<double>* out);
  void finish(std::vector<double>* out);

 private:
  void emit(int64_t limit, std::vector<double>* out);
  PolyphaseFilter filter_;
  std::deque<double> history_;  // inputs first_ .. received_ - 1
  int64_t first_ = 0, received_ = 0, next_out_ = 0;
  bool finished_ = false;
  std::vector<double> scratch_;
};

}  // namespace ecg::data
