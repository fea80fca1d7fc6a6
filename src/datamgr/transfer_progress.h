#pragma once
// A download progress line on stderr: files, bytes, bytes/s and ETA.
//   "[=========>          ] 3/10 files  120.5/300.0 MiB  12.3 MiB/s  ETA 15s"
// Drawn at most 10 times a second, only when enabled and stderr is a terminal. Not
// thread-safe: the transfer loop owns it.

#include <chrono>
#include <cstdint>
#include <string>

namespace ecg::datamgr {

class TransferProgress {
 public:
  TransferProgress(int64_t files_total, bool enabled);
  ~TransferProgress();
  void add_bytes(int64_t n);
  /// More bytes are expected (a Content-Length became known, or part of a file was
  /// already on disk).
  void add_expected_bytes(int64_t n);
  void file_done();
  int64_t bytes() const { return bytes_; }

 private:
  void draw(bool force);
  int64_t files_total_, files_done_ = 0;
  int64_t bytes_ = 0, bytes_expected_ = 0;
  bool enabled_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

/// "12.3 MiB", "512 B".
std::string format_bytes(double bytes);

}  // namespace ecg::datamgr
