#pragma once
// Parallel, resumable, verified HTTPS downloads (libcurl multi).
//
//   FetchOptions o;  o.jobs = 8;
//   auto out = fetch_files({{"https://physionet.org/files/ptb-xl/1.0.3/ptbxl_database.csv",
//                            "data/ptbxl_database.csv", "<sha256>"}}, o);
//
// Contract, per file:
// - A file already at `dest` whose SHA-256 matches is not downloaded again.
// - Bytes stream into `dest.part` and through SHA-256 at once. A `.part` left by an
//   interrupted run or connection is resumed with `Range: bytes=N-` (its bytes are
//   hashed first); a server that ignores the range restarts the file.
// - `.part` is renamed to `dest` only after its hash matches (or when no hash is known
//   and the transfer completed). On a mismatch the part is deleted and the file
//   downloaded again; the final failure names the file and both hashes.
// - 429, 5xx and transport errors are retried with exponential backoff and jitter,
//   honouring Retry-After; 401/403 fail at once with one line about credentials (the
//   key is never printed); 404 names the missing file. A local write error (disk full,
//   permission denied) fails the file with the system's message and nothing is renamed.
// - TLS peer and host verification are always on; plain http:// is refused except to
//   the loopback interface (local mirrors and tests). Credentials are never sent to a
//   host other than the one asked (a redirect to signed storage goes without them).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ecg::datamgr {

struct HttpAuth {
  enum class Kind { kNone, kBasic, kBearer };
  Kind kind = Kind::kNone;
  std::string user;    // basic
  std::string secret;  // basic password / key, or the bearer token
  std::string hint;    // appended to 401/403 errors: where the credentials came from
};

/// Where downloaded bytes go. The default writes a file; tests inject failures.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  /// Throws ecg::Error with the system's reason on failure.
  virtual void write(const char* data, size_t n) = 0;
  /// Flushes to disk and closes; throws on failure.
  virtual void finish() = 0;
};

/// Opens `path` for writing from byte `offset` (the file is truncated there).
using SinkFactory = std::function<std::unique_ptr<ByteSink>(const std::filesystem::path& path, int64_t offset)>;
std::unique_ptr<ByteSink> open_file_sink(const std::filesystem::path& path, int64_t offset);

struct FetchItem {
  std::string url;
  std::filesystem::path dest;
  std::string sha256;  // expected hex digest; empty: unknown (completion alone decides)
  std::string name;    // for messages; defaults to dest's file name
};

struct FetchOptions {
  int jobs = 4;                    // transfers at once
  int max_attempts = 6;            // per file, first try included
  double backoff_initial_s = 1.0;  // doubled per attempt, with jitter in [0.5, 1)
  double backoff_max_s = 60.0;
  double retry_after_max_s = 600.0;  // a longer Retry-After is clamped
  int64_t connect_timeout_s = 30;
  int64_t low_speed_bytes_per_s = 1024;  // abort a transfer slower than this ...
  int64_t low_speed_time_s = 60;         // ... for this long (then retry)
  HttpAuth auth;
  bool progress = false;
  uint64_t jitter_seed = 0;  // 0: from std::random_device
  SinkFactory open_sink = open_file_sink;
  std::string user_agent = "ecgtorch";
};

struct FetchOutcome {
  enum class Status { kDownloaded, kAlreadyValid, kFailed };
  std::string name;
  Status status = Status::kFailed;
  int64_t bytes = 0;  // received over the network
  int attempts = 0;
  std::string error;  // one line, for kFailed
};

/// Downloads every item; never throws for a per-file failure (see the outcomes). Throws
/// ecg::Error for a refused URL (plain http to a remote host, unsupported scheme).
std::vector<FetchOutcome> fetch_files(const std::vector<FetchItem>& items, const FetchOptions& options);

/// GETs a small resource into memory, with the same retries; throws ecg::Error with the
/// outcome's message on failure. `name` names it in errors.
std::string fetch_text(const std::string& url, const std::string& name, const FetchOptions& options);

/// The host of a URL ("physionet.org"), for messages.
std::string url_host(const std::string& url);

}  // namespace ecg::datamgr
