#pragma once
// What an organiser update changed between two manifests, grouped by record.
//
//   TreeDiff d = diff_manifests(read_manifest("v1.json"), read_manifest("v2.json"));
//   std::cout << format_diff(d);     // or diff_to_json(d).dump(2)
//
// A record id is the path without its extensions and without a trailing image index:
// "records500/00000/00001_hr.dat" and ".hea" -> "records500/00000/00001_hr";
// "train/7663343/7663343-0001.png" and "train/7663343/7663343.csv" -> "train/7663343/7663343";
// "00001_lr-0.png" -> "00001_lr". Files that share an id are one record.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "datamgr/manifest.h"

namespace ecg::datamgr {

struct FileChange {
  enum class Kind { kAdded, kRemoved, kModified };
  Kind kind;
  std::string path;
  std::string old_sha256, new_sha256;  // empty for the side that has none
  int64_t old_size = -1, new_size = -1;
};

struct TreeDiff {
  std::map<std::string, std::vector<FileChange>> by_record;  // record id -> its changes, by path
  int64_t added = 0, removed = 0, modified = 0, unchanged = 0;
  bool empty() const { return by_record.empty(); }
};

std::string record_id(const std::string& path);

TreeDiff diff_manifests(const Manifest& old_manifest, const Manifest& new_manifest);

/// "~ records500/00000/00001_hr" headers, then "  + path", "  - path", "  M path" lines,
/// and a summary line.
std::string format_diff(const TreeDiff& diff);
nlohmann::json diff_to_json(const TreeDiff& diff);

}  // namespace ecg::datamgr
