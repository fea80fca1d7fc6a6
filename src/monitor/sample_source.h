#pragma once
// SampleSource: the samples of a live stream, read as they come: text (one value per line,
// in mV; blank lines skipped) or raw little-endian int16 (ADC units, divided by the gain),
// from an input stream or from a file that keeps growing (follow: at the end it waits and
// reads again, until nothing has arrived for idle_s).
// Errors name the source and the line or byte: a line that is not a number, a stream that
// ends inside a sample.
//
//   SampleSource src(std::cin, "stdin", {});
//   std::vector<float> chunk;
//   while (src.read(360, &chunk)) { ... }

#include <istream>
#include <string>
#include <vector>

namespace ecg::monitor {

struct SampleSourceOptions {
  bool raw = false;
  double adc_gain = 200;  // raw: ADC units per mV
  bool follow = false;    // at the end, wait for more
  double idle_s = 10;     // follow: stop after this long without new data
};

class SampleSource {
 public:
  SampleSource(std::istream& in, std::string name, SampleSourceOptions options);
  /// Reads up to n samples into *out (cleared first); false once the stream has ended and
  /// nothing was read. Throws ecg::Error for bad input.
  bool read(int64_t n, std::vector<float>* out);

 private:
  bool next(float* value);
  bool wait_for_more();
  std::istream& in_;
  std::string name_;
  SampleSourceOptions o_;
  int64_t line_ = 0, bytes_ = 0;
  std::string partial_;
  bool ended_ = false;
};

}  // namespace ecg::monitor
