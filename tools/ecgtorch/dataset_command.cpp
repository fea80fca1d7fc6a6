// The dataset manager under `ecgtorch data`: download, manifest, verify, diff and
// check-pairs. The work is in src/datamgr/; this file maps options onto it.

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "commands.h"
#include "core/error.h"
#include "core/progress.h"
#include "core/strings.h"
#include "datamgr/check_pairs.h"
#include "datamgr/download.h"
#include "datamgr/file_hashing.h"
#include "datamgr/manifest.h"
#include "datamgr/transfer_progress.h"
#include "datamgr/tree_diff.h"
#include "datamgr/verify.h"

namespace fs = std::filesystem;

namespace ecg::tools {
namespace {

using namespace ecg::datamgr;

struct Args {
  std::string source, dest, base_url, dir, out, manifest, sha256sums, cache, src_label, old_side, new_side, layout;
  std::string leads = "standard";
  std::vector<std::string> include;
  int jobs = 4, threads = 0, retries = 6;
  int64_t max_extract_bytes = int64_t{256} << 30;
  double max_ratio = 200;
  bool quiet = false, json = false, fast = false, force = false, keep_archive = false, extract = false,
       exit_code = false;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string rate(int64_t bytes, double s) {
  return format_bytes(static_cast<double>(bytes)) + " in " + str(static_cast<int64_t>(s * 100) / 100.0) + " s (" +
         format_bytes(s > 0 ? static_cast<double>(bytes) / s : 0.0) + "/s)";
}

int64_t total_size(const fs::path& root, const std::vector<fs::path>& exclude) {
  int64_t n = 0;
  for (const auto& f : list_tree(root, exclude)) n += f.size;
  return n;
}

/// A manifest from a manifest file, a SHA256SUMS file, or a directory (hashed now).
Manifest load_side(const std::string& path, int threads) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return build_manifest(path, {path, threads, {}, nullptr});
  ECG_CHECK(fs::is_regular_file(path, ec), path, ": no such manifest file or directory");
  return read_manifest(path);
}

int run_download(const Args& a) {
  DownloadOptions o;
  o.dest = a.dest;
  o.include = a.include;
  o.base_url = a.base_url;
  o.fetch.jobs = a.jobs;
  o.fetch.max_attempts = a.retries;
  o.fetch.progress = !a.quiet;
  o.extract.max_total_bytes = a.max_extract_bytes;
  o.extract.max_ratio = a.max_ratio;
  o.extract.include = a.include;
  o.extract.progress = !a.quiet;
  o.extract_url_archive = a.extract;
  o.keep_archive = a.keep_archive;
  o.force = a.force;
  o.kaggle_env = kaggle_env_from_process();
  const bool quiet = a.quiet;
  o.info = [quiet](const std::string& m) {
    if (!quiet || m.rfind("warning: ", 0) == 0) std::cerr << m << "\n";
  };
  const SourceSpec spec = parse_source(a.source);
  if (o.base_url.empty()) {  // mirrors from the environment; --base-url wins
    const char* env = spec.kind == SourceSpec::Kind::kPhysionet ? std::getenv("ECGTORCH_PHYSIONET_URL")
                      : spec.kind == SourceSpec::Kind::kUrl     ? nullptr
                                                                : std::getenv("ECGTORCH_KAGGLE_URL");
    if (env != nullptr && *env != '\0') o.base_url = env;
  }
  const auto t0 = std::chrono::steady_clock::now();
  const DownloadReport r = download(spec, o);
  for (const auto& e : r.errors) std::cerr << "ecgtorch: error: " << e << "\n";
  std::cout << a.source << ": " << r.downloaded << " downloaded, " << r.already_valid << " already valid, " << r.failed
            << " failed";
  if (r.extracted > 0) std::cout << ", " << r.extracted << " extracted";
  std::cout << "; " << rate(r.bytes, seconds_since(t0)) << "\n";
  if (!r.manifest.empty()) std::cout << "manifest: " << r.manifest.string() << "\n";
  return r.ok() ? 0 : 1;
}

int run_manifest(const Args& a) {
  std::vector<fs::path> exclude;
  if (!a.out.empty()) exclude.push_back(fs::absolute(a.out));
  const int64_t total = a.quiet ? 0 : total_size(a.dir, exclude);
  Progress progress(total, "B", !a.quiet);
  const auto t0 = std::chrono::steady_clock::now();
  BuildManifestOptions o;
  o.source = a.src_label.empty() ? fs::weakly_canonical(a.dir).string() : a.src_label;
  o.threads = a.threads;
  o.exclude = exclude;
  o.on_file_done = [&progress](int64_t bytes) { progress.tick(bytes); };
  const Manifest m = build_manifest(a.dir, o);
  int64_t bytes = 0;
  for (const auto& f : m.files) bytes += f.size;
  if (a.out.empty()) {
    std::cout << manifest_to_json(m).dump(2) << "\n";
  } else {
    write_manifest(m, a.out);
    std::cout << "wrote " << a.out << "\n";
  }
  std::cerr << m.files.size() << " files, " << rate(bytes, seconds_since(t0)) << ", "
            << resolve_threads(a.threads, m.files.size()) << " threads\n";
  return 0;
}

int run_verify(const Args& a) {
  if (a.manifest.empty() == a.sha256sums.empty()) {
    throw UsageError("data verify: give exactly one of --manifest FILE or --sha256sums FILE");
  }
  const fs::path list = a.manifest.empty() ? a.sha256sums : a.manifest;
  const Manifest m = read_manifest(list);
  VerifyOptions o;
  o.fast = a.fast;
  o.cache_path = a.cache.empty() ? default_verify_cache(a.dir) : fs::path(a.cache);
  o.threads = a.threads;
  o.include = a.include;
  o.exclude = {fs::absolute(list)};
  int64_t total = 0;
  for (const auto& f : m.files) total += std::max<int64_t>(f.size, 0);
  Progress progress(a.fast ? 0 : total, "B", !a.quiet && !a.json);
  o.on_file_done = [&progress](int64_t bytes) { progress.tick(bytes); };
  const auto t0 = std::chrono::steady_clock::now();
  const VerifyReport r = verify_tree(a.dir, m, o);
  const double s = seconds_since(t0);
  for (const auto& w : r.warnings) std::cerr << "warning: " << w << "\n";
  if (a.json) {
    auto j = report_to_json(r);
    j["seconds"] = s;
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << format_report(r);
    if (!a.quiet) std::cerr << "verified in " << s << " s\n";
  }
  return r.ok() ? 0 : 1;
}

int run_diff(const Args& a) {
  const TreeDiff d = diff_manifests(load_side(a.old_side, a.threads), load_side(a.new_side, a.threads));
  std::cout << (a.json ? diff_to_json(d).dump(2) + "\n" : format_diff(d));
  return a.exit_code && !d.empty() ? 1 : 0;
}

int run_check_pairs(const Args& a) {
  PairCheckOptions o;
  if (a.leads == "any") {
    o.leads.clear();
  } else if (a.leads != "standard") {
    o.leads.clear();
    for (const auto& l : split(a.leads, ',')) o.leads.push_back(trim(l));
  }
  const PairCheckReport r = check_pairs(a.dir, parse_pair_layout(a.layout), o);
  if (a.json) {
    std::cout << pair_report_to_json(r).dump(2) << "\n";
  } else {
    for (const auto& p : r.problems) std::cout << p.record << ": " << p.problem << "\n";
    std::cout << (r.problems.empty() ? "OK: " : "FAILED: ") << r.records << " records, " << r.problems.size()
              << " problems\n";
  }
  return r.problems.empty() ? 0 : 1;
}

}  // namespace

std::function<int()> add_dataset_subcommands(CLI::App* data) {
  auto a = std::make_shared<Args>();
  CLI::App* dl =
      data->add_subcommand("download", "Download a dataset (PhysioNet, Kaggle, URL), verified and resumable");
  dl->add_option("source", a->source,
                 "physionet:<db>/<version> | kaggle:<competition> | kaggle-dataset:<owner>/<name> | "
                 "url:<https-url>#sha256=<hex>")
      ->required();
  dl->add_option("--dest", a->dest, "destination directory")->required();
  dl->add_option("--jobs,-j", a->jobs, "parallel transfers")->check(CLI::Range(1, 64));
  dl->add_option("--include", a->include, "glob of files (physionet) or archive entries (kaggle) to fetch; repeatable")
      ->allow_extra_args(false);
  dl->add_option("--base-url", a->base_url,
                 "mirror or test server instead of physionet.org/files / kaggle.com/api/v1 (also "
                 "$ECGTORCH_PHYSIONET_URL, $ECGTORCH_KAGGLE_URL)");
  dl->add_option("--retries", a->retries, "attempts per file")->check(CLI::Range(1, 100));
  dl->add_option("--max-extract-bytes", a->max_extract_bytes, "refuse archives that expand beyond this");
  dl->add_option("--max-ratio", a->max_ratio, "refuse archives that expand more than this many times");
  dl->add_flag("--extract", a->extract, "url: extract the downloaded archive");
  dl->add_flag("--keep-archive", a->keep_archive, "keep the zip after extracting it");
  dl->add_flag("--force", a->force, "download a complete Kaggle bundle again");
  dl->add_flag("--quiet,-q", a->quiet, "no progress bar");

  CLI::App* man = data->add_subcommand("manifest", "Write a SHA-256 manifest (JSON) of a directory tree");
  man->add_option("dir", a->dir, "directory")->required()->check(CLI::ExistingDirectory);
  man->add_option("-o,--out", a->out, "manifest file (default: stdout)");
  man->add_option("--source", a->src_label, "source recorded in the manifest (default: the directory)");
  man->add_option("--threads", a->threads, "hashing threads (default: every core)");
  man->add_flag("--quiet,-q", a->quiet, "no progress bar");

  CLI::App* ver = data->add_subcommand("verify", "Check a tree against a manifest or SHA256SUMS.txt");
  ver->add_option("dir", a->dir, "directory")->required()->check(CLI::ExistingDirectory);
  ver->add_option("--manifest", a->manifest, "ecgtorch JSON manifest");
  ver->add_option("--sha256sums", a->sha256sums, "PhysioNet SHA256SUMS.txt (sha256sum format)");
  ver->add_flag("--fast", a->fast, "trust size + mtime from the last verify's cache; hash only what changed");
  ver->add_option("--cache", a->cache, "verify cache file (default: ~/.cache/ecgtorch/verify/...)");
  ver->add_option("--include", a->include, "only these globs count; repeatable")->allow_extra_args(false);
  ver->add_option("--threads", a->threads, "hashing threads (default: every core)");
  ver->add_flag("--json", a->json, "print the report as JSON");
  ver->add_flag("--quiet,-q", a->quiet, "no progress bar");

  CLI::App* diff = data->add_subcommand("diff", "What changed between two manifests (or directories), by record");
  diff->add_option("old", a->old_side, "manifest, SHA256SUMS or directory")->required();
  diff->add_option("new", a->new_side, "manifest, SHA256SUMS or directory")->required();
  diff->add_flag("--json", a->json, "print JSON");
  diff->add_flag("--exit-code", a->exit_code, "exit 1 when anything changed");
  diff->add_option("--threads", a->threads, "hashing threads for directories");

  CLI::App* pairs = data->add_subcommand("check-pairs", "Check that images, signals and metadata belong together");
  pairs->add_option("dir", a->dir, "dataset root")->required()->check(CLI::ExistingDirectory);
  pairs->add_option("--layout", a->layout, "kaggle | physionet2024 | wfdb")->required();
  pairs->add_option("--leads", a->leads, "required signals: 'standard' (the 12 leads), 'any', or a comma list");
  pairs->add_flag("--json", a->json, "print JSON");

  return [a, dl, man, ver, diff, pairs]() -> int {
    if (dl->parsed()) return run_download(*a);
    if (man->parsed()) return run_manifest(*a);
    if (ver->parsed()) return run_verify(*a);
    if (diff->parsed()) return run_diff(*a);
    if (pairs->parsed()) return run_check_pairs(*a);
    return -1;
  };
}

}  // namespace ecg::tools
