#pragma once
// Listing a directory tree and hashing many files with SHA-256 on all cores.
//
//   auto files = list_tree("data/ptb-xl");              // sorted, relative, '/'-separated
//   auto hex = hash_files("data/ptb-xl", files, {});    // one digest per file, same order
//
// Hashing uses OpenSSL EVP (SHA-NI / AVX2 when the CPU has them) with 4 MiB reads and
// sequential read-ahead advice; files are handed to threads largest first so one big
// file does not end up alone at the tail.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ecg::datamgr {

/// One regular file under a root.
struct TreeFile {
  std::string path;      // relative to the root, '/'-separated
  int64_t size = 0;      // bytes
  int64_t mtime_ns = 0;  // modification time, ns since the epoch
};

/// Regular files under `root`, recursively, sorted by path. Symbolic links are not
/// followed (a link is not a file of the tree). `exclude` holds absolute paths to leave
/// out (the manifest itself when it lies inside the tree). Throws ecg::Error naming the
/// directory when it cannot be read.
std::vector<TreeFile> list_tree(const std::filesystem::path& root,
                                const std::vector<std::filesystem::path>& exclude = {});

/// Stats one file; nullopt-like: size -1 when it does not exist or is not a regular file.
TreeFile stat_file(const std::filesystem::path& root, const std::string& relative_path);

struct HashOptions {
  int threads = 0;  // 0: every core
  /// Called after each file with its byte count (from any thread; must be thread-safe).
  std::function<void(int64_t bytes)> on_file_done;
};

/// SHA-256 hex digests of root/path for each path, in the input order. Throws ecg::Error
/// naming the first file that cannot be read.
std::vector<std::string> hash_files(const std::filesystem::path& root, const std::vector<TreeFile>& files,
                                    const HashOptions& options);

/// Threads to use for `requested` (0 = every core), never more than `jobs`, at least 1.
int resolve_threads(int requested, size_t jobs);

/// fnmatch(3) glob without FNM_PATHNAME: '*' also matches '/'. True when `patterns` is
/// empty or any pattern matches.
bool matches_any(const std::string& path, const std::vector<std::string>& patterns);

}  // namespace ecg::datamgr
