#include "datamgr/download.h"

#include <algorithm>
#include <cctype>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/strings.h"
#include "datamgr/file_hashing.h"
#include "datamgr/manifest.h"

namespace fs = std::filesystem;

namespace ecg::datamgr {
namespace {

constexpr const char* kForms =
    "expected physionet:<db>/<version>, kaggle:<competition-slug>, kaggle-dataset:<owner>/<name> or "
    "url:<https-url>#sha256=<hex>";

bool is_slug(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  }
  return s != "." && s != "..";
}

std::string strip_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

void count(DownloadReport& report, const std::vector<FetchOutcome>& outcomes) {
  for (const auto& o : outcomes) {
    report.bytes += o.bytes;
    if (o.status == FetchOutcome::Status::kDownloaded) ++report.downloaded;
    if (o.status == FetchOutcome::Status::kAlreadyValid) ++report.already_valid;
    if (o.status == FetchOutcome::Status::kFailed) {
      ++report.failed;
      report.errors.push_back(o.error);
    }
  }
}

DownloadReport download_physionet(const SourceSpec& s, const DownloadOptions& o) {
  const std::string base = strip_slash(o.base_url.empty() ? "https://physionet.org/files" : o.base_url) + "/" +
                           url_encode_path(s.db) + "/" + url_encode_path(s.version) + "/";
  if (o.info) o.info("fetching " + base + "SHA256SUMS.txt");
  const std::string sums_text = fetch_text(base + "SHA256SUMS.txt", s.text + " SHA256SUMS.txt", o.fetch);
  const Manifest sums = parse_sha256sums(sums_text, base + "SHA256SUMS.txt");
  std::vector<FetchItem> items;
  for (const auto& f : sums.files) {
    if (f.path == "SHA256SUMS.txt" || !matches_any(f.path, o.include)) continue;
    items.push_back({base + url_encode_path(f.path), o.dest / f.path, f.sha256, f.path});
  }
  ECG_CHECK(!items.empty() || sums.files.empty(), s.text, ": no file of SHA256SUMS.txt matches --include ",
            join(o.include, " "));
  if (o.info) o.info(str(items.size(), " files listed for ", s.text));
  DownloadReport report;
  count(report, fetch_files(items, o.fetch));
  write_file_atomic(o.dest / "SHA256SUMS.txt", sums_text);
  return report;
}

DownloadReport download_archive(const SourceSpec& s, const DownloadOptions& o, const std::string& url,
                                const std::string& sha256, const std::string& archive_name, bool kaggle) {
  DownloadReport report;
  const fs::path manifest_path = o.dest / "ecgtorch-manifest.json";
  std::error_code ec;
  if (kaggle && !o.force && fs::is_regular_file(manifest_path, ec)) {
    try {
      if (read_manifest(manifest_path).source == s.text) {
        if (o.info) {
          o.info(str(s.text, " is already complete in ", o.dest.string(), " (", manifest_path.string(),
                     "); check it with: ecgtorch data verify ", o.dest.string(), " --manifest ", manifest_path.string(),
                     "; --force downloads it again"));
        }
        report.already_valid = 1;
        report.manifest = manifest_path;
        return report;
      }
    } catch (const Error&) {
      // Not a readable manifest of ours: download again.
    }
  }
  FetchOptions fetch = o.fetch;
  if (kaggle) {
    std::vector<std::string> warnings;
    fetch.auth = kaggle_auth(o.kaggle_env, &warnings);
    for (const auto& w : warnings) {
      if (o.info) o.info("warning: " + w);
    }
  }
  const fs::path archive = o.dest / ((kaggle ? "." : "") + archive_name);
  if (o.info) o.info("fetching " + url);
  count(report, fetch_files({{url, archive, sha256, archive_name}}, fetch));
  if (!report.ok()) return report;
  const bool extract = kaggle || o.extract_url_archive;
  if (!extract) return report;
  if (o.info) o.info("extracting " + archive.string());
  const ExtractResult r = extract_archive(archive, o.dest, o.extract);
  report.extracted = r.files;
  if (kaggle) {
    Manifest m;
    m.created = manifest_time_now();
    m.source = s.text;
    // Digests come from the extraction itself: an 84 GB bundle is not read twice.
    for (size_t i = 0; i < r.paths.size(); ++i) {
      const TreeFile f = stat_file(o.dest, r.paths[i]);
      m.files.push_back({f.path, f.size, f.mtime_ns, r.sha256[i]});
    }
    std::sort(m.files.begin(), m.files.end(),
              [](const ManifestEntry& a, const ManifestEntry& b) { return a.path < b.path; });
    write_manifest(m, manifest_path);
    report.manifest = manifest_path;
  }
  if (!o.keep_archive) fs::remove(archive, ec);
  return report;
}

}  // namespace

std::string url_encode_path(const std::string& path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

SourceSpec parse_source(const std::string& text) {
  SourceSpec s;
  s.text = text;
  const auto colon = text.find(':');
  ECG_CHECK(colon != std::string::npos, "source '", text, "': ", kForms);
  const std::string scheme = text.substr(0, colon), rest = text.substr(colon + 1);
  if (scheme == "physionet") {
    const auto parts = split(rest, '/');
    ECG_CHECK(parts.size() == 2 && is_slug(parts[0]) && is_slug(parts[1]), "source '", text,
              "': expected physionet:<db>/<version>, e.g. physionet:ptb-xl/1.0.3");
    s.kind = SourceSpec::Kind::kPhysionet;
    s.db = parts[0];
    s.version = parts[1];
  } else if (scheme == "kaggle") {
    ECG_CHECK(is_slug(rest), "source '", text,
              "': expected kaggle:<competition-slug>, e.g. kaggle:physionet-ecg-image-digitization");
    s.kind = SourceSpec::Kind::kKaggleCompetition;
    s.slug = rest;
  } else if (scheme == "kaggle-dataset") {
    const auto parts = split(rest, '/');
    ECG_CHECK(parts.size() == 2 && is_slug(parts[0]) && is_slug(parts[1]), "source '", text,
              "': expected kaggle-dataset:<owner>/<name>");
    s.kind = SourceSpec::Kind::kKaggleDataset;
    s.slug = rest;
  } else if (scheme == "url") {
    const auto hash = rest.find("#sha256=");
    ECG_CHECK(hash != std::string::npos, "source '", text,
              "': url: sources need '#sha256=<64 hex digits>' so that the file can be verified");
    s.kind = SourceSpec::Kind::kUrl;
    s.url = rest.substr(0, hash);
    s.sha256 = to_lower(rest.substr(hash + 8));
    ECG_CHECK(is_sha256_hex(s.sha256), "source '", text, "': '#sha256=' must be followed by 64 hex digits");
    const std::string scheme_part = to_lower(s.url.substr(0, s.url.find("://")));
    ECG_CHECK(scheme_part == "https" || scheme_part == "http", "source '", text, "': expected an https:// URL");
    std::string path = s.url.substr(s.url.find("://") + 3);
    path = path.substr(0, path.find_first_of("?#"));
    const auto slash = path.rfind('/');
    ECG_CHECK(slash != std::string::npos && slash + 1 < path.size(), "source '", text,
              "': the URL must end with a file name");
  } else {
    throw Error(str("source '", text, "': unknown kind '", scheme, "'; ", kForms));
  }
  return s;
}

DownloadReport download(const SourceSpec& s, const DownloadOptions& o) {
  ECG_CHECK(!o.dest.empty(), "data download: --dest is required");
  std::error_code ec;
  fs::create_directories(o.dest, ec);
  ECG_CHECK(!ec, "cannot create ", o.dest.string(), ": ", ec.message());
  const std::string kaggle_base = strip_slash(o.base_url.empty() ? "https://www.kaggle.com/api/v1" : o.base_url);
  switch (s.kind) {
    case SourceSpec::Kind::kPhysionet:
      return download_physionet(s, o);
    case SourceSpec::Kind::kKaggleCompetition:
      return download_archive(s, o, kaggle_base + "/competitions/data/download-all/" + s.slug, "", s.slug + ".zip",
                              true);
    case SourceSpec::Kind::kKaggleDataset: {
      const std::string name = split(s.slug, '/')[1];
      return download_archive(s, o, kaggle_base + "/datasets/download/" + s.slug, "", name + ".zip", true);
    }
    case SourceSpec::Kind::kUrl: {
      std::string path = s.url.substr(s.url.find("://") + 3);
      path = path.substr(0, path.find_first_of("?#"));
      return download_archive(s, o, s.url, s.sha256, path.substr(path.rfind('/') + 1), false);
    }
  }
  return {};
}

}  // namespace ecg::datamgr
