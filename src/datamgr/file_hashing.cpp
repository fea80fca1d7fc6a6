#include "datamgr/file_hashing.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <numeric>
#include <thread>

#include "core/error.h"
#include "core/sha256.h"

namespace fs = std::filesystem;

namespace ecg::datamgr {
namespace {

int64_t mtime_ns_of(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

std::string hash_one(const fs::path& path, std::vector<unsigned char>& buffer) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ECG_CHECK(fd >= 0, path.string(), ": cannot open: ", std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  Sha256 h;
  while (true) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    ECG_CHECK(n >= 0, path.string(), ": read error: ", std::strerror(errno));
    if (n == 0) break;
    h.update(buffer.data(), static_cast<size_t>(n));
  }
  return h.hex();
}

}  // namespace

std::vector<TreeFile> list_tree(const fs::path& root, const std::vector<fs::path>& exclude) {
  std::error_code ec;
  ECG_CHECK(fs::is_directory(root, ec), root.string(), ": not a directory");
  // Excluded files are compared by canonical path, computed only for files whose name
  // matches one (canonicalising every file costs more than listing the tree).
  std::vector<fs::path> excluded;
  std::vector<std::string> excluded_names;
  for (const auto& e : exclude) {
    excluded.push_back(fs::weakly_canonical(e, ec));
    excluded_names.push_back(e.filename().string());
  }
  std::vector<TreeFile> out;
  const std::string prefix = root.string();
  const size_t strip = prefix.size() + (prefix.empty() || prefix.back() == '/' ? 0 : 1);
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end;
  ECG_CHECK(!ec, root.string(), ": cannot list: ", ec.message());
  for (; it != end; it.increment(ec)) {
    ECG_CHECK(!ec, root.string(), ": cannot list: ", ec.message());
    const auto status = it->symlink_status(ec);
    if (ec || !fs::is_regular_file(status)) continue;
    const fs::path& p = it->path();
    if (!excluded.empty() &&
        std::find(excluded_names.begin(), excluded_names.end(), p.filename().string()) != excluded_names.end() &&
        std::find(excluded.begin(), excluded.end(), fs::weakly_canonical(p, ec)) != excluded.end()) {
      continue;
    }
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) continue;
    out.push_back({p.string().substr(strip), static_cast<int64_t>(st.st_size), mtime_ns_of(st)});
  }
  ECG_CHECK(!ec, root.string(), ": cannot list: ", ec.message());
  std::sort(out.begin(), out.end(), [](const TreeFile& a, const TreeFile& b) { return a.path < b.path; });
  return out;
}

TreeFile stat_file(const fs::path& root, const std::string& relative_path) {
  struct stat st {};
  if (::lstat((root / relative_path).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return {relative_path, -1, 0};
  return {relative_path, static_cast<int64_t>(st.st_size), mtime_ns_of(st)};
}

int resolve_threads(int requested, size_t jobs) {
  int n = requested > 0 ? requested : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  n = static_cast<int>(std::min<size_t>(static_cast<size_t>(n), std::max<size_t>(jobs, 1)));
  return std::max(n, 1);
}

std::vector<std::string> hash_files(const fs::path& root, const std::vector<TreeFile>& files,
                                    const HashOptions& options) {
  std::vector<std::string> out(files.size());
  std::vector<size_t> order(files.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return files[a].size > files[b].size; });
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    std::vector<unsigned char> buffer(4 << 20);
    while (!failed) {
      const size_t k = next++;
      if (k >= order.size()) return;
      const size_t i = order[k];
      try {
        out[i] = hash_one(root / files[i].path, buffer);
        if (options.on_file_done) options.on_file_done(files[i].size);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        failed = true;
      }
    }
  };
  const int n = resolve_threads(options.threads, files.size());
  std::vector<std::thread> pool;
  for (int t = 1; t < n; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  return out;
}

bool matches_any(const std::string& path, const std::vector<std::string>& patterns) {
  if (patterns.empty()) return true;
  for (const auto& p : patterns) {
    if (::fnmatch(p.c_str(), path.c_str(), 0) == 0) return true;
  }
  return false;
}

}  // namespace ecg::datamgr
