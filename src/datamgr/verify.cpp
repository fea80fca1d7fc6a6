#include "datamgr/verify.h"

#include <chrono>
#include <cstdlib>
#include <map>
#include <set>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/sha256.h"
#include "datamgr/file_hashing.h"

namespace fs = std::filesystem;

namespace ecg::datamgr {
namespace {

constexpr int kCacheVersion = 1;
constexpr int64_t kRacyWindowNs = 2'000'000'000;

struct CachedFile {
  int64_t size = -1, mtime_ns = 0;
  std::string sha256;
};

struct VerifyCache {
  int64_t written_ns = 0;
  std::map<std::string, CachedFile> files;
};

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

VerifyCache read_cache(const fs::path& path, const fs::path& root) {
  VerifyCache cache;
  std::error_code ec;
  if (path.empty() || !fs::exists(path, ec)) return cache;
  try {
    const auto j = nlohmann::json::parse(read_file(path));
    if (j.value("format", "") != "ecgtorch-verify-cache" || j.value("version", 0) != kCacheVersion ||
        j.value("root", "") != fs::weakly_canonical(root).string()) {
      return cache;
    }
    cache.written_ns = j.at("written_ns").get<int64_t>();
    for (const auto& [p, v] : j.at("files").items()) {
      cache.files[p] = {v.at(0).get<int64_t>(), v.at(1).get<int64_t>(), v.at(2).get<std::string>()};
    }
  } catch (const std::exception&) {
    return {};  // A damaged cache only costs a full verify.
  }
  return cache;
}

void write_cache(const fs::path& path, const fs::path& root, const std::map<std::string, CachedFile>& files,
                 int64_t written_ns) {
  nlohmann::json f = nlohmann::json::object();
  for (const auto& [p, c] : files) f[p] = {c.size, c.mtime_ns, c.sha256};
  const nlohmann::json j = {{"format", "ecgtorch-verify-cache"},
                            {"version", kCacheVersion},
                            {"root", fs::weakly_canonical(root).string()},
                            {"written_ns", written_ns},
                            {"files", std::move(f)}};
  write_file_atomic(path, j.dump());
}

}  // namespace

VerifyReport verify_tree(const fs::path& root, const Manifest& manifest, const VerifyOptions& options) {
  VerifyReport report;
  const int64_t started_ns = now_ns();
  const auto actual = list_tree(root, options.exclude);
  std::map<std::string, const TreeFile*> by_path;
  for (const auto& f : actual) by_path[f.path] = &f;
  const VerifyCache cache = options.fast ? read_cache(options.cache_path, root) : VerifyCache{};

  std::set<std::string> listed;
  std::vector<TreeFile> to_hash;
  std::vector<const ManifestEntry*> to_hash_entry;
  std::map<std::string, CachedFile> new_cache;
  for (const auto& e : manifest.files) {
    if (!matches_any(e.path, options.include)) continue;
    listed.insert(e.path);
    ++report.checked;
    const auto it = by_path.find(e.path);
    if (it == by_path.end()) {
      report.missing.push_back(e.path);
      continue;
    }
    const TreeFile& f = *it->second;
    if (e.size >= 0 && e.size != f.size) {
      report.modified.push_back({e.path, e.sha256, "", e.size, f.size});
      continue;
    }
    const auto c = cache.files.find(e.path);
    if (options.fast && c != cache.files.end() && c->second.size == f.size && c->second.mtime_ns == f.mtime_ns &&
        f.mtime_ns < cache.written_ns - kRacyWindowNs) {
      ++report.trusted;
      new_cache[e.path] = c->second;
      if (c->second.sha256 != e.sha256) report.modified.push_back({e.path, e.sha256, c->second.sha256, e.size, f.size});
      continue;
    }
    to_hash.push_back(f);
    to_hash_entry.push_back(&e);
  }
  HashOptions h;
  h.threads = options.threads;
  h.on_file_done = options.on_file_done;
  const auto digests = hash_files(root, to_hash, h);
  for (size_t i = 0; i < to_hash.size(); ++i) {
    ++report.hashed;
    report.bytes_hashed += to_hash[i].size;
    const ManifestEntry& e = *to_hash_entry[i];
    new_cache[e.path] = {to_hash[i].size, to_hash[i].mtime_ns, digests[i]};
    if (digests[i] != e.sha256) report.modified.push_back({e.path, e.sha256, digests[i], e.size, to_hash[i].size});
  }
  for (const auto& f : actual) {
    if (!listed.count(f.path) && matches_any(f.path, options.include)) report.extra.push_back(f.path);
  }
  std::sort(report.modified.begin(), report.modified.end(),
            [](const ModifiedFile& a, const ModifiedFile& b) { return a.path < b.path; });
  // An unchanged tree under --fast leaves the cache as it was: nothing to write.
  const bool cache_unchanged = options.fast && report.hashed == 0 && new_cache.size() == cache.files.size();
  if (!options.cache_path.empty() && !cache_unchanged) {
    try {
      write_cache(options.cache_path, root, new_cache, started_ns);
    } catch (const Error& err) {
      report.warnings.push_back(str("the verify cache was not written (", err.what(), "); --fast will hash again"));
    }
  }
  return report;
}

std::string format_report(const VerifyReport& r) {
  std::string out;
  for (const auto& p : r.missing) out += "missing   " + p + "\n";
  for (const auto& m : r.modified) {
    if (m.actual_sha256.empty()) {
      out += str("modified  ", m.path, " (size ", m.actual_size, " bytes, expected ", m.expected_size, ")\n");
    } else {
      out += str("modified  ", m.path, " (sha256 ", m.actual_sha256, ", expected ", m.expected_sha256, ")\n");
    }
  }
  for (const auto& p : r.extra) out += "extra     " + p + "\n";
  out += str(r.ok() ? "OK: " : "FAILED: ", r.checked, " files checked, ", r.missing.size(), " missing, ",
             r.modified.size(), " modified, ", r.extra.size(), " extra; ", r.hashed, " hashed (",
             r.bytes_hashed / 1048576.0, " MiB), ", r.trusted, " trusted from the cache\n");
  return out;
}

nlohmann::json report_to_json(const VerifyReport& r) {
  nlohmann::json modified = nlohmann::json::array();
  for (const auto& m : r.modified) {
    modified.push_back({{"path", m.path},
                        {"expected_sha256", m.expected_sha256},
                        {"actual_sha256", m.actual_sha256},
                        {"expected_size", m.expected_size},
                        {"actual_size", m.actual_size}});
  }
  return {{"ok", r.ok()},         {"checked", r.checked}, {"missing", r.missing},           {"extra", r.extra},
          {"modified", modified}, {"hashed", r.hashed},   {"bytes_hashed", r.bytes_hashed}, {"trusted", r.trusted}};
}

fs::path default_verify_cache(const fs::path& root) {
  fs::path base;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    base = xdg;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    base = fs::path(home) / ".cache";
  } else {
    base = fs::temp_directory_path();
  }
  return base / "ecgtorch" / "verify" / (sha256_hex(fs::weakly_canonical(root).string()) + ".json");
}

}  // namespace ecg::datamgr
