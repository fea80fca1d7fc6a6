#pragma once
// Safe archive extraction (libarchive: zip, tar, tar.gz, ...).
//
//   ExtractResult r = extract_archive("bundle.zip", "data/kaggle", {});
//
// Contract:
// - The whole archive is checked before anything is written: an absolute path, a `..`
//   component (with '/' or '\' separators), a symlink whose target leaves the
//   destination, a hardlink to anything outside it, or a device/fifo entry makes it
//   refuse, naming the entry. Nothing is written through a symlink.
// - Zip bombs: the total uncompressed size may not exceed `max_total_bytes`, nor
//   `max_ratio` times the archive's size (once past 1 MiB); both are checked against
//   the declared sizes first and again while bytes are written (sizes can lie).
// - Each file is written to a temporary name beside its target and renamed when
//   complete, so a crash or refusal never leaves a half file under a real name.
// - Modes keep only rwx bits; modification times are restored.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ecg::datamgr {

struct ExtractOptions {
  int64_t max_total_bytes = int64_t{256} << 30;  // 256 GiB
  double max_ratio = 200.0;                      // uncompressed / archive bytes
  std::vector<std::string> include;              // globs on entry paths; empty: all
  bool progress = false;
};

struct ExtractResult {
  int64_t files = 0, bytes = 0;
  std::vector<std::string> paths;   // extracted regular files, relative to the destination
  std::vector<std::string> sha256;  // their digests, computed while writing (same order)
};

/// Throws ecg::Error "<archive>: entry '<name>': <reason>" for a refused entry, and
/// "<archive>: ..." for a damaged archive or a write failure.
ExtractResult extract_archive(const std::filesystem::path& archive, const std::filesystem::path& dest,
                              const ExtractOptions& options);

/// The normalised relative path of an archive entry name, or throws ecg::Error with the
/// reason ("absolute path", "'..' leaves the destination", "empty name").
std::string safe_entry_path(const std::string& name);

/// True when a symlink at relative path `link` with target `target` stays inside the
/// destination (relative targets only).
bool symlink_stays_inside(const std::string& link, const std::string& target);

}  // namespace ecg::datamgr
