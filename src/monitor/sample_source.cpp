#include "monitor/sample_source.h"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <thread>

#include "core/error.h"

namespace ecg::monitor {

SampleSource::SampleSource(std::istream& in, std::string name, SampleSourceOptions options)
    : in_(in), name_(std::move(name)), o_(options) {
  ECG_CHECK(!o_.raw || o_.adc_gain > 0, name_, ": the gain must be > 0 ADC units per mV");
}

bool SampleSource::read(int64_t n, std::vector<float>* out) {
  out->clear();
  float v = 0;
  while (static_cast<int64_t>(out->size()) < n && next(&v)) out->push_back(v);
  return !out->empty();
}

// Follow mode: sleeps until the file grows, or returns false after idle_s.
bool SampleSource::wait_for_more() {
  if (!o_.follow) return false;
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < o_.idle_s) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    in_.clear();
    if (in_.peek() != std::char_traits<char>::eof()) return true;
  }
  return false;
}

bool SampleSource::next(float* value) {
  if (ended_) return false;
  if (o_.raw) {
    char b[2];
    int got = 0;
    while (got < 2) {
      in_.read(b + got, 2 - got);
      got += static_cast<int>(in_.gcount());
      if (got < 2 && !wait_for_more()) {
        ended_ = true;
        ECG_CHECK(got == 0, name_, ": the stream ended inside a sample (byte ", bytes_ + got, ": 1 of 2 bytes)");
        return false;
      }
    }
    bytes_ += 2;
    const auto u = static_cast<uint16_t>(static_cast<unsigned char>(b[0]) | (static_cast<unsigned char>(b[1]) << 8));
    *value = static_cast<float>(static_cast<double>(static_cast<int16_t>(u)) / o_.adc_gain);
    return true;
  }
  for (;;) {
    std::string chunk;
    const bool complete = static_cast<bool>(std::getline(in_, chunk)) && !in_.eof();
    partial_ += chunk;
    if (!complete) {
      // The end of what is there: a last line without a newline counts unless more may come.
      if (wait_for_more()) continue;
      ended_ = true;
      if (partial_.find_first_not_of(" \t\r") == std::string::npos) return false;
    }
    std::string text;
    text.swap(partial_);
    ++line_;
    const auto first = text.find_first_not_of(" \t\r");
    if (first == std::string::npos) {
      if (ended_) return false;
      continue;
    }
    const auto last = text.find_last_not_of(" \t\r");
    const std::string s = text.substr(first, last - first + 1);
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(s.c_str(), &end);
    ECG_CHECK(end == s.c_str() + s.size() && errno == 0 && std::isfinite(v), name_, " line ", line_, ": '",
              s.substr(0, 40), "' is not a number (one value in mV per line)");
    *value = static_cast<float>(v);
    return true;
  }
}

}  // namespace ecg::monitor
