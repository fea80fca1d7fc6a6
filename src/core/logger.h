#pragma once
// Logger: levelled, thread-safe, rank-aware. Library code logs through it and never
// writes to stdout; tools own stdout. Lines go to stderr and, once attached, to a log
// file (the run's log.txt). Ranks other than 0 only print warnings and errors.
//
//   Logger log(LogLevel::kInfo);
//   log.info("epoch ", epoch, " loss ", loss);

#include <filesystem>
#include <fstream>
#include <mutex>
#include <ostream>
#include <string>

#include "core/error.h"

namespace ecg {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

/// Parses "debug", "info", "warning", "error"; throws ecg::Error otherwise.
LogLevel parse_log_level(const std::string& s);

class Logger {
 public:
  /// `console` defaults to std::cerr; tests pass their own stream.
  explicit Logger(LogLevel level = LogLevel::kInfo, int64_t rank = 0, std::ostream* console = nullptr);

  /// Appends every later line (all levels >= the logger's) to `path`.
  void attach_file(const std::filesystem::path& path);

  void log(LogLevel level, const std::string& message);
  template <class... P>
  void debug(const P&... p) {
    if (enabled(LogLevel::kDebug)) log(LogLevel::kDebug, str(p...));
  }
  template <class... P>
  void info(const P&... p) {
    if (enabled(LogLevel::kInfo)) log(LogLevel::kInfo, str(p...));
  }
  template <class... P>
  void warning(const P&... p) {
    log(LogLevel::kWarning, str(p...));
  }
  template <class... P>
  void error(const P&... p) {
    log(LogLevel::kError, str(p...));
  }

  bool enabled(LogLevel level) const { return level >= level_; }
  LogLevel level() const { return level_; }
  int64_t rank() const { return rank_; }

 private:
  LogLevel level_;
  int64_t rank_;
  std::ostream* console_;
  std::ofstream file_;
  std::mutex mutex_;
};

}  // namespace ecg
