#pragma once
// Dataset manifests: what a tree should hold, file by file.
//
// JSON format (version 1), sorted by path, one file per line so that a manifest diffs
// well under git:
//   {"format": "ecgtorch-manifest", "version": 1, "created": "2026-11-21T10:00:00Z",
//    "source": "physionet:ptb-xl/1.0.3",
//    "files": [
//      {"path": "records100/00000/00001_lr.dat", "size": 24000, "mtime_ns": ..., "sha256": "..."},
//      ...]}
// `created` is the time of writing, or SOURCE_DATE_EPOCH when set (reproducible
// output); everything else depends only on the tree.
//
// SHA256SUMS.txt (`<64 hex>  <path>` per line, '*' before the path for binary mode, as
// sha256sum writes it; PhysioNet's own files have one space) reads into the same type,
// without sizes.
//
//   Manifest m = build_manifest("data/ptb-xl", {.source = "physionet:ptb-xl/1.0.3"});
//   write_manifest(m, "ptb-xl.manifest.json");
//   Manifest sums = read_manifest("data/ptb-xl/SHA256SUMS.txt");  // either format

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ecg::datamgr {

struct ManifestEntry {
  std::string path;      // relative, '/'-separated
  int64_t size = -1;     // bytes; -1 when unknown (SHA256SUMS)
  int64_t mtime_ns = 0;  // 0 when unknown
  std::string sha256;    // 64 lowercase hex digits
};

struct Manifest {
  static constexpr int kVersion = 1;
  std::string created;  // ISO 8601 UTC
  std::string source;
  std::vector<ManifestEntry> files;  // sorted by path, unique
};

struct BuildManifestOptions {
  std::string source;
  int threads = 0;                                  // 0: every core
  std::vector<std::filesystem::path> exclude;       // absolute paths left out
  std::function<void(int64_t bytes)> on_file_done;  // progress, from any thread
};

/// Hashes every regular file under `root`.
Manifest build_manifest(const std::filesystem::path& root, const BuildManifestOptions& options);

nlohmann::json manifest_to_json(const Manifest& manifest);
/// `source` names the input in errors ("m.json: files[3]: missing key 'sha256'").
Manifest manifest_from_json(const nlohmann::json& j, const std::string& source);
/// Parses SHA256SUMS text; errors name `source` and the line.
Manifest parse_sha256sums(const std::string& text, const std::string& source);
/// The manifest as sha256sum text (sorted; loads back with parse_sha256sums).
std::string to_sha256sums(const Manifest& manifest);

/// Reads a JSON manifest or a SHA256SUMS file (told apart by the first character).
Manifest read_manifest(const std::filesystem::path& path);
/// Writes the JSON manifest atomically.
void write_manifest(const Manifest& manifest, const std::filesystem::path& path);

/// The current UTC time as ISO 8601, or SOURCE_DATE_EPOCH's when that is set.
std::string manifest_time_now();
/// True for 64 lowercase or uppercase hex digits.
bool is_sha256_hex(const std::string& s);

}  // namespace ecg::datamgr
