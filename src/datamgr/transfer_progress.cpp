#include "datamgr/transfer_progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

namespace ecg::datamgr {

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

TransferProgress::TransferProgress(int64_t files_total, bool enabled)
    : files_total_(files_total),
      enabled_(enabled && isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

TransferProgress::~TransferProgress() {
  if (enabled_ && (bytes_ > 0 || files_done_ > 0)) {
    draw(true);
    std::fputs("\n", stderr);
  }
}

void TransferProgress::add_bytes(int64_t n) {
  bytes_ += n;
  draw(false);
}

void TransferProgress::add_expected_bytes(int64_t n) {
  bytes_expected_ += n;
}

void TransferProgress::file_done() {
  ++files_done_;
  draw(false);
}

void TransferProgress::draw(bool force) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double s = std::chrono::duration<double>(now - start_).count();
  const double rate = s > 0 ? static_cast<double>(bytes_) / s : 0.0;
  const int width = 20;
  const double frac = bytes_expected_ > 0
                          ? std::min(1.0, static_cast<double>(bytes_) / static_cast<double>(bytes_expected_))
                      : files_total_ > 0 ? static_cast<double>(files_done_) / static_cast<double>(files_total_)
                                         : 0.0;
  const int filled = static_cast<int>(width * frac);
  std::string bar(static_cast<size_t>(filled), '=');
  if (filled < width) bar += '>' + std::string(static_cast<size_t>(width - filled - 1), ' ');
  std::string eta = "";
  if (bytes_expected_ > bytes_ && rate > 0) {
    eta = "  ETA " + std::to_string(static_cast<int64_t>(static_cast<double>(bytes_expected_ - bytes_) / rate)) + "s";
  }
  const std::string total = bytes_expected_ > 0 ? "/" + format_bytes(static_cast<double>(bytes_expected_)) : "";
  std::fprintf(stderr, "\r[%s] %lld/%lld files  %s%s  %s/s%s   ", bar.c_str(), static_cast<long long>(files_done_),
               static_cast<long long>(files_total_), format_bytes(static_cast<double>(bytes_)).c_str(), total.c_str(),
               format_bytes(rate).c_str(), eta.c_str());
  std::fflush(stderr);
}

}  // namespace ecg::datamgr
