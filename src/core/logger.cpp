#include "core/logger.h"

#include <chrono>
#include <ctime>
#include <iostream>

namespace ecg {

LogLevel parse_log_level(const std::string& s) {
  if (s == "debug") return LogLevel::kDebug;
  if (s == "info") return LogLevel::kInfo;
  if (s == "warning") return LogLevel::kWarning;
  if (s == "error") return LogLevel::kError;
  throw Error(str("unknown log level '", s, "' (expected debug, info, warning or error)"));
}

Logger::Logger(LogLevel level, int64_t rank, std::ostream* console)
    : level_(level), rank_(rank), console_(console != nullptr ? console : &std::cerr) {}

void Logger::attach_file(const std::filesystem::path& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  file_.open(path, std::ios::app);
  ECG_CHECK(file_.good(), path.string(), ": cannot open log file");
}

void Logger::log(LogLevel level, const std::string& message) {
  if (!enabled(level)) return;
  static constexpr const char* kNames[] = {"DEBUG", "INFO", "WARNING", "ERROR"};
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  localtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
  const std::string line = str("[", stamp, "] ", rank_ > 0 ? str("[rank ", rank_, "] ") : "",
                               kNames[static_cast<int>(level)], " ", message, "\n");
  std::lock_guard<std::mutex> lock(mutex_);
  if (rank_ == 0 || level >= LogLevel::kWarning) {
    *console_ << line;
    console_->flush();
  }
  if (file_.is_open()) {
    file_ << line;
    file_.flush();
  }
}

}  // namespace ecg
