#include "core/progress.h"

#include <unistd.h>

#include <cstdio>

namespace ecg {

Progress::Progress(int64_t total, std::string unit, bool enabled)
    : total_(total),
      unit_(std::move(unit)),
      enabled_(enabled && isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (enabled_ && done_ > 0) draw(true);
}

void Progress::tick(int64_t n) {
  std::lock_guard<std::mutex> lock(mutex_);
  done_ += n;
  const auto now = std::chrono::steady_clock::now();
  if (enabled_ && now - last_draw_ > std::chrono::milliseconds(100)) {
    last_draw_ = now;
    draw(false);
  }
}

double Progress::rate() const {
  std::lock_guard<std::mutex> lock(mutex_);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  return s > 0 ? static_cast<double>(done_) / s : 0.0;
}

int64_t Progress::done() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return done_;
}

void Progress::draw(bool final) {
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double r = s > 0 ? static_cast<double>(done_) / s : 0.0;
  char line[160];
  if (unit_ == "B") {  // bytes: shown in MiB
    const double mib = 1048576.0;
    const double eta = r > 0 && total_ > done_ ? static_cast<double>(total_ - done_) / r : 0.0;
    if (total_ > 0) {
      std::snprintf(line, sizeof line, "\r%.1f/%.1f MiB %.1f MiB/s ETA %.0fs   ", done_ / mib, total_ / mib, r / mib,
                    eta);
    } else {
      std::snprintf(line, sizeof line, "\r%.1f MiB %.1f MiB/s   ", done_ / mib, r / mib);
    }
    std::fputs(line, stderr);
    if (final) std::fputs("\n", stderr);
    std::fflush(stderr);
    return;
  }
  if (total_ > 0) {
    const int width = 30, filled = static_cast<int>(width * done_ / total_);
    std::string bar(static_cast<size_t>(filled), '=');
    if (filled < width) bar += '>' + std::string(static_cast<size_t>(width - filled - 1), ' ');
    const double eta = r > 0 ? static_cast<double>(total_ - done_) / r : 0.0;
    std::snprintf(line, sizeof line, "\r[%s] %lld/%lld %.1f %s/s ETA %.0fs", bar.c_str(), static_cast<long long>(done_),
                  static_cast<long long>(total_), r, unit_.c_str(), eta);
  } else {
    std::snprintf(line, sizeof line, "\r%lld %s %.1f %s/s", static_cast<long long>(done_), unit_.c_str(), r,
                  unit_.c_str());
  }
  std::fputs(line, stderr);
  if (final) std::fputs("\n", stderr);
  std::fflush(stderr);
}

}  // namespace ecg
