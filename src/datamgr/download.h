#pragma once
// `ecgtorch data download SOURCE --dest DIR`: one command per dataset source.
//
//   physionet:<db>/<version>          SHA256SUMS.txt, then every file it lists (or the
//                                     --include subset), each verified as it streams
//   kaggle:<competition-slug>         the competition's zip (Kaggle API v1), extracted
//   kaggle-dataset:<owner>/<name>     a dataset's zip, extracted
//   url:<https-url>#sha256=<hex>      one file, verified (extracted with --extract)
//
//   DownloadOptions o;  o.dest = "data/ptb-xl";  o.include = {"records100/*"};
//   DownloadReport r = download(parse_source("physionet:ptb-xl/1.0.3"), o);
//
// A Kaggle bundle goes to DIR/.<slug>.zip(.part) (resumable), is extracted safely, and
// its files are written into DIR/ecgtorch-manifest.json (source = the spec), after
// which the zip is deleted (unless keep_archive). A manifest with the same source
// means the bundle is complete: it is not fetched again unless `force`.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "datamgr/extract.h"
#include "datamgr/http_fetch.h"
#include "datamgr/kaggle_auth.h"

namespace ecg::datamgr {

struct SourceSpec {
  enum class Kind { kPhysionet, kKaggleCompetition, kKaggleDataset, kUrl };
  Kind kind = Kind::kUrl;
  std::string text;         // as given
  std::string db, version;  // physionet
  std::string slug;         // kaggle: competition slug, or owner/name for datasets
  std::string url, sha256;  // url
};

/// Throws ecg::Error naming the spec and the accepted forms.
SourceSpec parse_source(const std::string& text);

struct DownloadOptions {
  std::filesystem::path dest;
  std::vector<std::string> include;  // globs on file paths (physionet) or archive entries (kaggle)
  std::string base_url;              // empty: https://physionet.org/files or https://www.kaggle.com/api/v1
  FetchOptions fetch;
  ExtractOptions extract;
  bool extract_url_archive = false;  // url: sources
  bool keep_archive = false;
  bool force = false;
  KaggleCredentialEnv kaggle_env;
  std::function<void(const std::string&)> info;  // progress messages and warnings
};

struct DownloadReport {
  int64_t downloaded = 0, already_valid = 0, failed = 0, extracted = 0;
  int64_t bytes = 0;                // received
  std::vector<std::string> errors;  // one line per failed file
  std::filesystem::path manifest;   // written for kaggle sources
  bool ok() const { return failed == 0; }
};

DownloadReport download(const SourceSpec& source, const DownloadOptions& options);

/// Percent-encodes a relative path for a URL, keeping '/'.
std::string url_encode_path(const std::string& path);

}  // namespace ecg::datamgr
