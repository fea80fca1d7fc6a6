#pragma once
// Progress: a one-line progress bar on stderr ("[=====>    ] 120/500 24.1 img/s ETA 16s"),
// redrawn at most 10 times a second, only when enabled and stderr is a terminal
// (logs stay clean). Thread-safe: tick() may be called from worker threads.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace ecg {

class Progress {
 public:
  /// `total` 0 means unknown; `unit` names what is counted ("img"); "B" counts bytes,
  /// shown in MiB.
  Progress(int64_t total, std::string unit, bool enabled);
  ~Progress();
  void tick(int64_t n = 1);
  /// Items per second since the start.
  double rate() const;
  int64_t done() const;

 private:
  void draw(bool final);
  int64_t total_;
  std::string unit_;
  bool enabled_;
  int64_t done_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
  mutable std::mutex mutex_;
};

}  // namespace ecg
