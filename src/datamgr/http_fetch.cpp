#include "datamgr/http_fetch.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <deque>
#include <random>
#include <thread>

#include "core/error.h"
#include "core/sha256.h"
#include "core/strings.h"
#include "datamgr/transfer_progress.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace ecg::datamgr {
namespace {

// ---------------------------------------------------------------- file sink

class FileSink : public ByteSink {
 public:
  FileSink(fs::path path, int64_t offset) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    ECG_CHECK(fd_ >= 0, "cannot write ", path_.string(), ": ", std::strerror(errno));
    if (::ftruncate(fd_, offset) != 0 || ::lseek(fd_, offset, SEEK_SET) != offset) {
      const std::string reason = std::strerror(errno);
      ::close(fd_);
      fd_ = -1;
      throw Error(str("cannot write ", path_.string(), ": ", reason));
    }
  }
  ~FileSink() override {
    if (fd_ >= 0) ::close(fd_);
  }
  void write(const char* data, size_t n) override {
    while (n > 0) {
      const ssize_t w = ::write(fd_, data, n);
      if (w < 0 && errno == EINTR) continue;
      ECG_CHECK(w > 0, "cannot write ", path_.string(), ": ", std::strerror(w < 0 ? errno : ENOSPC));
      data += w;
      n -= static_cast<size_t>(w);
    }
  }
  void finish() override {
    ECG_CHECK(::fsync(fd_) == 0, "cannot write ", path_.string(), ": fsync: ", std::strerror(errno));
    const int fd = fd_;
    fd_ = -1;
    ECG_CHECK(::close(fd) == 0, "cannot write ", path_.string(), ": close: ", std::strerror(errno));
  }

 private:
  fs::path path_;
  int fd_ = -1;
};

class MemorySink : public ByteSink {
 public:
  explicit MemorySink(std::string* out) : out_(out) { out_->clear(); }
  void write(const char* data, size_t n) override { out_->append(data, n); }
  void finish() override {}

 private:
  std::string* out_;
};

// ---------------------------------------------------------------- helpers

/// Hashes the first `n` bytes of a file into `h`; false when it cannot be read.
bool hash_prefix(const fs::path& path, int64_t n, Sha256& h) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  std::vector<char> buf(1 << 20);
  int64_t left = n;
  bool ok = true;
  while (left > 0) {
    const ssize_t r =
        ::read(fd, buf.data(), static_cast<size_t>(std::min<int64_t>(left, static_cast<int64_t>(buf.size()))));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      ok = false;
      break;
    }
    h.update(buf.data(), static_cast<size_t>(r));
    left -= r;
  }
  ::close(fd);
  return ok;
}

int64_t file_size_or(const fs::path& p, int64_t fallback) {
  std::error_code ec;
  const auto s = fs::file_size(p, ec);
  return ec ? fallback : static_cast<int64_t>(s);
}

bool is_loopback_host(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "[::1]" || host == "::1";
}

std::string scheme_of(const std::string& url) {
  const auto p = url.find("://");
  return p == std::string::npos ? "" : to_lower(url.substr(0, p));
}

/// "https" or "http,https" (loopback only), checked before any request.
std::string allowed_protocols(const std::string& url) {
  const std::string scheme = scheme_of(url);
  if (scheme == "https") return "https";
  ECG_CHECK(scheme == "http", "unsupported URL '", url, "': expected https://");
  ECG_CHECK(is_loopback_host(url_host(url)), "refusing plain http:// URL '", url,
            "': TLS is required for remote hosts (use https://)");
  return "http,https";
}

void fsync_dir(const fs::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// ---------------------------------------------------------------- one transfer

struct Transfer {
  const FetchItem* item = nullptr;
  size_t index = 0;
  bool to_memory = false;
  std::string* memory = nullptr;
  fs::path part;
  int attempt = 0;
  Clock::time_point not_before{};

  // Per attempt.
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  int64_t offset = 0;  // bytes already in the part when the attempt started
  Sha256 sha;
  std::unique_ptr<ByteSink> sink;
  long status = 0;
  bool body_started = false;
  std::string local_error;
  int64_t received = 0;
  TransferProgress* progress = nullptr;
  const FetchOptions* options = nullptr;
  char curl_error[CURL_ERROR_SIZE] = {0};
};

size_t on_body(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * nmemb;
  if (!t->body_started) {
    t->body_started = true;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->status);
    if (t->status == 200 || t->status == 206) {
      if (t->status == 200 && t->offset > 0) {  // The server ignored the range: start over.
        t->offset = 0;
        t->sha.reset();
      }
      try {
        t->sink = t->to_memory ? std::make_unique<MemorySink>(t->memory) : t->options->open_sink(t->part, t->offset);
      } catch (const Error& e) {
        t->local_error = e.what();
        return 0;
      }
      curl_off_t length = -1;
      curl_easy_getinfo(t->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
      if (length > 0 && t->progress && t->attempt == 1) t->progress->add_expected_bytes(length);
    }
  }
  if (t->status != 200 && t->status != 206) return n;  // an error page: discarded
  try {
    t->sink->write(data, n);
  } catch (const Error& e) {
    t->local_error = e.what();
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t->sha.update(data, n);
  t->received += static_cast<int64_t>(n);
  if (t->progress) t->progress->add_bytes(static_cast<int64_t>(n));
  return n;
}

void setup_easy(Transfer& t, const FetchOptions& o) {
  t.easy = curl_easy_init();
  ECG_CHECK(t.easy != nullptr, "libcurl: cannot create a handle");
  CURL* e = t.easy;
  const std::string& url = t.item->url;
  const std::string protocols = allowed_protocols(url);
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, protocols.c_str());
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, protocols.c_str());
#else
  const long mask = protocols == "https" ? CURLPROTO_HTTPS : (CURLPROTO_HTTP | CURLPROTO_HTTPS);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS, mask);
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS, mask);
#endif
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(e, CURLOPT_UNRESTRICTED_AUTH, 0L);  // credentials stay with the first host
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, static_cast<long>(o.connect_timeout_s));
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(o.low_speed_bytes_per_s));
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, static_cast<long>(o.low_speed_time_s));
  curl_easy_setopt(e, CURLOPT_USERAGENT, o.user_agent.c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.curl_error);
  curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
  if (o.auth.kind == HttpAuth::Kind::kBasic) {
    curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(e, CURLOPT_USERNAME, o.auth.user.c_str());
    curl_easy_setopt(e, CURLOPT_PASSWORD, o.auth.secret.c_str());
  } else if (o.auth.kind == HttpAuth::Kind::kBearer) {
    curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
    curl_easy_setopt(e, CURLOPT_XOAUTH2_BEARER, o.auth.secret.c_str());
  }
  if (t.offset > 0) {
    const std::string range = std::to_string(t.offset) + "-";
    curl_easy_setopt(e, CURLOPT_RANGE, range.c_str());  // copied by libcurl
  }
}

void cleanup_easy(Transfer& t) {
  if (t.easy) curl_easy_cleanup(t.easy);
  t.easy = nullptr;
  if (t.headers) curl_slist_free_all(t.headers);
  t.headers = nullptr;
  t.sink.reset();
}

enum class Next { kDone, kRetry, kFail };

struct Verdict {
  Next next;
  std::string message;     // failure or retry reason
  double min_delay_s = 0;  // Retry-After
  bool keep_part = true;   // resume from the part on retry
};

Verdict judge(Transfer& t, CURLcode res, const FetchOptions& o) {
  const std::string& name = t.item->name;
  if (!t.local_error.empty()) return {Next::kFail, t.local_error};
  long status = t.status;
  if (status == 0) curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
  curl_off_t retry_after = 0;
#if LIBCURL_VERSION_NUM >= 0x074200
  curl_easy_getinfo(t.easy, CURLINFO_RETRY_AFTER, &retry_after);
#endif
  const double delay = std::min<double>(static_cast<double>(retry_after), o.retry_after_max_s);
  if (status == 401 || status == 403) {
    return {Next::kFail, str("HTTP ", status, " from ", url_host(t.item->url), " for ", name,
                             ": the credentials were refused or lack access",
                             o.auth.hint.empty() ? std::string() : " (" + o.auth.hint + ")")};
  }
  if (status == 404 || status == 410) {
    return {Next::kFail, str(name, ": not found on the server (HTTP ", status, " for ", t.item->url, ")")};
  }
  if (status == 416) return {Next::kRetry, "HTTP 416 (the partial file is longer than the remote one)", 0, false};
  if (status == 429 || status == 408 || status >= 500) {
    return {Next::kRetry, str("HTTP ", status, " from ", url_host(t.item->url)), delay};
  }
  if (status >= 300 && status != 200 && status != 206) {
    return {Next::kFail, str(name, ": HTTP ", status, " for ", t.item->url)};
  }
  if (res == CURLE_PEER_FAILED_VERIFICATION || res == CURLE_SSL_CACERT_BADFILE || res == CURLE_UNSUPPORTED_PROTOCOL) {
    return {Next::kFail, str(name, ": ", curl_easy_strerror(res), ": ", t.curl_error)};
  }
  if (res != CURLE_OK) {
    return {Next::kRetry, str(curl_easy_strerror(res), t.curl_error[0] ? std::string(": ") + t.curl_error : "")};
  }
  if (status != 200 && status != 206) return {Next::kRetry, str("unexpected HTTP ", status)};
  if (!t.body_started) {  // an empty body: make an empty part
    try {
      t.sink = t.to_memory ? std::make_unique<MemorySink>(t.memory) : o.open_sink(t.part, t.offset);
    } catch (const Error& e) {
      return {Next::kFail, e.what()};
    }
  }
  try {
    t.sink->finish();
  } catch (const Error& e) {
    return {Next::kFail, e.what()};
  }
  t.sink.reset();
  if (!t.item->sha256.empty()) {
    const std::string got = t.sha.hex();
    if (got != t.item->sha256) {
      return {Next::kRetry, str("sha256 mismatch for ", name, ": got ", got, ", expected ", t.item->sha256), 0, false};
    }
  }
  return {Next::kDone, ""};
}

double backoff_s(int attempt, const FetchOptions& o, std::mt19937_64& rng) {
  const double base = std::min(o.backoff_max_s, o.backoff_initial_s * std::pow(2.0, std::max(0, attempt - 1)));
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return base * jitter(rng);
}

struct MultiDeleter {
  void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};

}  // namespace

std::unique_ptr<ByteSink> open_file_sink(const fs::path& path, int64_t offset) {
  return std::make_unique<FileSink>(path, offset);
}

std::string url_host(const std::string& url) {
  auto p = url.find("://");
  std::string rest = p == std::string::npos ? url : url.substr(p + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);  // no userinfo
  if (!rest.empty() && rest[0] == '[') return rest.substr(0, rest.find(']') + 1);
  return rest.substr(0, rest.find(':'));
}

namespace {

std::vector<FetchOutcome> run_transfers(std::vector<Transfer>& transfers, const FetchOptions& o) {
  static const bool curl_ready = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  ECG_CHECK(curl_ready, "libcurl: global initialisation failed");
  for (const auto& t : transfers) allowed_protocols(t.item->url);  // refuse bad URLs before any work

  std::vector<FetchOutcome> out(transfers.size());
  std::mt19937_64 rng(o.jitter_seed ? o.jitter_seed : std::random_device{}());
  TransferProgress progress(static_cast<int64_t>(transfers.size()), o.progress);
  std::unique_ptr<CURLM, MultiDeleter> multi(curl_multi_init());
  ECG_CHECK(multi != nullptr, "libcurl: cannot create a multi handle");

  std::deque<Transfer*> queue;  // waiting to start (or restart after a delay)
  for (size_t i = 0; i < transfers.size(); ++i) {
    Transfer& t = transfers[i];
    t.progress = &progress;
    out[i].name = t.item->name;
    if (!t.to_memory) {
      std::error_code ec;
      fs::create_directories(t.item->dest.parent_path().empty() ? fs::path(".") : t.item->dest.parent_path(), ec);
      if (ec) {
        out[i].error = str("cannot create ", t.item->dest.parent_path().string(), ": ", ec.message());
        progress.file_done();
        continue;
      }
      if (fs::is_regular_file(t.item->dest, ec)) {
        Sha256 h;
        if (t.item->sha256.empty() ||
            (hash_prefix(t.item->dest, file_size_or(t.item->dest, 0), h) && h.hex() == t.item->sha256)) {
          out[i].status = FetchOutcome::Status::kAlreadyValid;
          progress.file_done();
          continue;
        }
      }
    }
    queue.push_back(&t);
  }

  int active = 0;
  auto start = [&](Transfer& t) {
    ++t.attempt;
    t.status = 0;
    t.body_started = false;
    t.local_error.clear();
    t.received = 0;
    t.curl_error[0] = 0;
    t.sha.reset();
    t.offset = 0;
    if (!t.to_memory) {
      const int64_t have = file_size_or(t.part, 0);
      if (have > 0 && hash_prefix(t.part, have, t.sha)) {
        t.offset = have;
      } else {
        t.sha.reset();
      }
    }
    setup_easy(t, o);
    curl_multi_add_handle(multi.get(), t.easy);
    ++active;
  };
  auto finish = [&](Transfer& t, FetchOutcome::Status status, const std::string& error) {
    out[t.index].status = status;
    out[t.index].error = error;
    out[t.index].attempts = t.attempt;
    progress.file_done();
  };

  while (!queue.empty() || active > 0) {
    const auto now = Clock::now();
    for (size_t k = 0; k < queue.size() && active < o.jobs;) {
      if (queue[k]->not_before <= now) {
        Transfer* t = queue[k];
        queue.erase(queue.begin() + static_cast<std::ptrdiff_t>(k));
        start(*t);
      } else {
        ++k;
      }
    }
    int running = 0;
    curl_multi_perform(multi.get(), &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi.get(), &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
      const CURLcode res = msg->data.result;
      curl_multi_remove_handle(multi.get(), t->easy);
      --active;
      out[t->index].bytes += t->received;
      Verdict v = judge(*t, res, o);
      cleanup_easy(*t);
      std::error_code ec;
      if (v.next == Next::kDone) {
        if (!t->to_memory) {
          fs::rename(t->part, t->item->dest, ec);
          if (ec) {
            finish(*t, FetchOutcome::Status::kFailed,
                   str("cannot rename ", t->part.string(), " to ", t->item->dest.string(), ": ", ec.message()));
            continue;
          }
          fsync_dir(t->item->dest.parent_path());
        }
        finish(*t, FetchOutcome::Status::kDownloaded, "");
      } else if (v.next == Next::kFail) {
        finish(*t, FetchOutcome::Status::kFailed, v.message);
      } else if (t->attempt >= o.max_attempts) {
        if (!v.keep_part && !t->to_memory) fs::remove(t->part, ec);
        finish(*t, FetchOutcome::Status::kFailed,
               str(t->item->name, ": gave up after ", t->attempt, " attempts: ", v.message));
      } else {
        if (!v.keep_part && !t->to_memory) fs::remove(t->part, ec);
        const double wait = std::max(v.min_delay_s, backoff_s(t->attempt, o, rng));
        t->not_before = Clock::now() + std::chrono::microseconds(static_cast<int64_t>(wait * 1e6));
        queue.push_back(t);
      }
    }
    if (active == 0 && !queue.empty()) {
      auto next = queue.front()->not_before;
      for (auto* t : queue) next = std::min(next, t->not_before);
      const auto wait = next - Clock::now();
      if (wait > Clock::duration::zero())
        std::this_thread::sleep_for(std::min<Clock::duration>(wait, std::chrono::seconds(1)));
      continue;
    }
    if (active > 0) curl_multi_poll(multi.get(), nullptr, 0, 100, nullptr);
  }
  return out;
}

}  // namespace

std::vector<FetchOutcome> fetch_files(const std::vector<FetchItem>& items, const FetchOptions& options) {
  ECG_CHECK(options.jobs >= 1, "fetch: jobs must be >= 1, got ", options.jobs);
  ECG_CHECK(options.max_attempts >= 1, "fetch: max_attempts must be >= 1, got ", options.max_attempts);
  std::vector<FetchItem> named = items;
  for (auto& it : named) {
    if (it.name.empty()) it.name = it.dest.filename().string();
    it.sha256 = to_lower(it.sha256);
  }
  std::vector<Transfer> transfers(named.size());
  for (size_t i = 0; i < named.size(); ++i) {
    transfers[i].item = &named[i];
    transfers[i].index = i;
    transfers[i].part = named[i].dest.string() + ".part";
    transfers[i].options = &options;
  }
  return run_transfers(transfers, options);
}

std::string fetch_text(const std::string& url, const std::string& name, const FetchOptions& options) {
  FetchItem item{url, "", "", name};
  std::string body;
  std::vector<Transfer> transfers(1);
  transfers[0].item = &item;
  transfers[0].to_memory = true;
  transfers[0].memory = &body;
  transfers[0].options = &options;
  FetchOptions quiet = options;
  quiet.progress = false;
  const auto out = run_transfers(transfers, quiet);
  ECG_CHECK(out[0].status != FetchOutcome::Status::kFailed, out[0].error);
  return body;
}

}  // namespace ecg::datamgr
