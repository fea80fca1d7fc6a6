#include "datamgr/manifest.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <sstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/strings.h"
#include "datamgr/file_hashing.h"

namespace fs = std::filesystem;

namespace ecg::datamgr {
namespace {

void sort_and_check_unique(Manifest& m, const std::string& source) {
  std::sort(m.files.begin(), m.files.end(),
            [](const ManifestEntry& a, const ManifestEntry& b) { return a.path < b.path; });
  for (size_t i = 1; i < m.files.size(); ++i) {
    ECG_CHECK(m.files[i].path != m.files[i - 1].path, source, ": '", m.files[i].path, "' is listed twice");
  }
}

void check_relative(const std::string& path, const std::string& where) {
  ECG_CHECK(!path.empty() && path[0] != '/', where, ": expected a relative path, got '", path, "'");
  for (const auto& part : split(path, '/')) {
    ECG_CHECK(part != "..", where, ": path '", path, "' leaves the tree ('..')");
  }
}

}  // namespace

bool is_sha256_hex(const std::string& s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

std::string manifest_time_now() {
  std::time_t t = std::time(nullptr);
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) {
    if (auto v = parse_int(epoch)) t = static_cast<std::time_t>(*v);
  }
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Manifest build_manifest(const fs::path& root, const BuildManifestOptions& options) {
  const auto files = list_tree(root, options.exclude);
  HashOptions h;
  h.threads = options.threads;
  h.on_file_done = options.on_file_done;
  const auto digests = hash_files(root, files, h);
  Manifest m;
  m.created = manifest_time_now();
  m.source = options.source;
  m.files.reserve(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    m.files.push_back({files[i].path, files[i].size, files[i].mtime_ns, digests[i]});
  }
  return m;
}

nlohmann::json manifest_to_json(const Manifest& manifest) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : manifest.files) {
    nlohmann::json e = {{"path", f.path}, {"sha256", f.sha256}};
    if (f.size >= 0) e["size"] = f.size;
    if (f.mtime_ns != 0) e["mtime_ns"] = f.mtime_ns;
    files.push_back(std::move(e));
  }
  return {{"format", "ecgtorch-manifest"},
          {"version", Manifest::kVersion},
          {"created", manifest.created},
          {"source", manifest.source},
          {"files", std::move(files)}};
}

Manifest manifest_from_json(const nlohmann::json& j, const std::string& source) {
  ECG_CHECK(j.is_object() && j.value("format", "") == "ecgtorch-manifest", source,
            ": not an ecgtorch manifest (expected \"format\": \"ecgtorch-manifest\")");
  const int version = j.value("version", 0);
  ECG_CHECK(version == Manifest::kVersion, source, ": manifest version ", version, " is not supported (expected ",
            Manifest::kVersion, ")");
  ECG_CHECK(j.contains("files") && j["files"].is_array(), source, ": expected a 'files' array");
  Manifest m;
  m.created = j.value("created", "");
  m.source = j.value("source", "");
  for (size_t i = 0; i < j["files"].size(); ++i) {
    const auto& e = j["files"][i];
    const std::string where = str(source, ": files[", i, "]");
    ECG_CHECK(e.is_object(), where, ": expected an object");
    ECG_CHECK(e.contains("path") && e["path"].is_string(), where, ": missing key 'path'");
    ECG_CHECK(e.contains("sha256") && e["sha256"].is_string(), where, ": missing key 'sha256'");
    ManifestEntry f;
    f.path = e["path"].get<std::string>();
    f.sha256 = to_lower(e["sha256"].get<std::string>());
    ECG_CHECK(is_sha256_hex(f.sha256), where, ": 'sha256' must be 64 hex digits, got '", f.sha256, "'");
    check_relative(f.path, where);
    if (e.contains("size")) {
      ECG_CHECK(e["size"].is_number_integer() && e["size"].get<int64_t>() >= 0, where,
                ": 'size' must be a non-negative integer");
      f.size = e["size"].get<int64_t>();
    }
    if (e.contains("mtime_ns")) {
      ECG_CHECK(e["mtime_ns"].is_number_integer(), where, ": 'mtime_ns' must be an integer");
      f.mtime_ns = e["mtime_ns"].get<int64_t>();
    }
    m.files.push_back(std::move(f));
  }
  sort_and_check_unique(m, source);
  return m;
}

Manifest parse_sha256sums(const std::string& text, const std::string& source) {
  Manifest m;
  std::istringstream in(text);
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    const std::string where = str(source, ":", line_no);
    // "<hex>  <path>" (sha256sum, text mode), "<hex> *<path>" (binary mode) or
    // "<hex> <path>" (PhysioNet's own files use one space).
    ECG_CHECK(line.size() > 65 && is_sha256_hex(line.substr(0, 64)) && line[64] == ' ', where,
              ": expected '<64 hex digits>  <path>', got '", line.substr(0, 80), "'");
    ManifestEntry f;
    f.sha256 = to_lower(line.substr(0, 64));
    f.path = line.substr(line[65] == ' ' || line[65] == '*' ? 66 : 65);
    ECG_CHECK(!f.path.empty(), where, ": expected a path after the digest");
    if (f.path.rfind("./", 0) == 0) f.path = f.path.substr(2);
    check_relative(f.path, where);
    m.files.push_back(std::move(f));
  }
  sort_and_check_unique(m, source);
  return m;
}

std::string to_sha256sums(const Manifest& manifest) {
  std::string out;
  for (const auto& f : manifest.files) out += f.sha256 + "  " + f.path + "\n";
  return out;
}

Manifest read_manifest(const fs::path& path) {
  const std::string text = read_file(path);
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      throw Error(str(path.string(), ": invalid JSON at byte ", e.byte, ": ", e.what()));
    }
    return manifest_from_json(j, path.string());
  }
  return parse_sha256sums(text, path.string());
}

void write_manifest(const Manifest& manifest, const fs::path& path) {
  // One file entry per line: readable, and diffs well.
  const auto j = manifest_to_json(manifest);
  std::string out = "{\n";
  for (const char* key : {"format", "version", "created", "source"}) {
    out += str("  \"", key, "\": ", j[key].dump(), ",\n");
  }
  out += "  \"files\": [";
  for (size_t i = 0; i < j["files"].size(); ++i) out += (i ? ",\n    " : "\n    ") + j["files"][i].dump();
  out += j["files"].empty() ? "]\n}\n" : "\n  ]\n}\n";
  write_file_atomic(path, out);
}

}  // namespace ecg::datamgr
