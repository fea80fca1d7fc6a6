#pragma once
// Verifying a tree against a manifest: missing, extra and modified files.
//
//   VerifyOptions o;
//   o.exclude = {"data/ptb-xl/SHA256SUMS.txt"};
//   o.cache_path = default_verify_cache("data/ptb-xl");   // enables --fast next time
//   VerifyReport r = verify_tree("data/ptb-xl", read_manifest("data/ptb-xl/SHA256SUMS.txt"), o);
//   if (!r.ok()) ...
//
// --fast: a full verify writes a cache of (path, size, mtime_ns, sha256) for what it
// hashed; a fast verify trusts a file whose size and mtime equal the cached ones and
// re-hashes only the others. An entry whose mtime is within 2 s of the cache's writing
// is never trusted (a file rewritten in the same clock tick keeps its mtime; git's
// "racy" rule).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "datamgr/manifest.h"

namespace ecg::datamgr {

struct VerifyOptions {
  bool fast = false;
  std::filesystem::path cache_path;                 // empty: no cache read or written
  int threads = 0;                                  // 0: every core
  std::vector<std::string> include;                 // globs; only matching manifest entries and files count
  std::vector<std::filesystem::path> exclude;       // absolute paths never reported as extra
  std::function<void(int64_t bytes)> on_file_done;  // progress while hashing
};

struct ModifiedFile {
  std::string path;
  std::string expected_sha256, actual_sha256;  // actual empty when the size already differs
  int64_t expected_size = -1, actual_size = -1;
};

struct VerifyReport {
  std::vector<std::string> missing, extra;
  std::vector<ModifiedFile> modified;
  int64_t checked = 0;                // manifest entries looked at
  int64_t hashed = 0;                 // files read and hashed
  int64_t bytes_hashed = 0;           // their bytes
  int64_t trusted = 0;                // files accepted from the cache (--fast)
  std::vector<std::string> warnings;  // e.g. the cache could not be written
  bool ok() const { return missing.empty() && extra.empty() && modified.empty(); }
};

VerifyReport verify_tree(const std::filesystem::path& root, const Manifest& manifest, const VerifyOptions& options);

/// Human-readable report: one line per problem, then a summary line.
std::string format_report(const VerifyReport& report);
nlohmann::json report_to_json(const VerifyReport& report);

/// $XDG_CACHE_HOME/ecgtorch/verify/<sha256 of the canonical root>.json, or under
/// ~/.cache when XDG_CACHE_HOME is unset.
std::filesystem::path default_verify_cache(const std::filesystem::path& root);

}  // namespace ecg::datamgr
