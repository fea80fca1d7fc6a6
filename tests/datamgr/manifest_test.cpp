// Manifests, SHA256SUMS, verification (full and --fast) and diffs.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/sha256.h"
#include "datamgr/file_hashing.h"
#include "datamgr/manifest.h"
#include "datamgr/tree_diff.h"
#include "datamgr/verify.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace ecg::datamgr;
using ecg::testing::TempDir;

namespace {

constexpr const char* kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";    // "abc"
constexpr const char* kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";  // ""

void age(const fs::path& p, int64_t seconds_ago) {
  const struct timespec t = {time(nullptr) - seconds_ago, 0};
  const struct timespec times[2] = {t, t};
  ASSERT_EQ(utimensat(AT_FDCWD, p.c_str(), times, 0), 0);
}

void make_tree(const TempDir& d) {
  d.write("tree/b/x.dat", "abc");
  d.write("tree/a.hea", "");
  d.write("tree/b/y.dat", std::string(3 << 20, 'y'));  // 3 MiB: several reads
  for (const char* p : {"tree/b/x.dat", "tree/a.hea", "tree/b/y.dat"}) age(d / p, 100);
}

}  // namespace

TEST(Manifest, BuildsSortedDigestsWithSizesOnAnyThreadCount) {
  TempDir d;
  make_tree(d);
  const Manifest m1 = build_manifest(d / "tree", {"test", 1, {}, nullptr});
  const Manifest m3 = build_manifest(d / "tree", {"test", 3, {}, nullptr});
  ASSERT_EQ(m1.files.size(), 3u);
  EXPECT_EQ(m1.files[0].path, "a.hea");
  EXPECT_EQ(m1.files[0].sha256, kEmpty);
  EXPECT_EQ(m1.files[0].size, 0);
  EXPECT_EQ(m1.files[1].path, "b/x.dat");
  EXPECT_EQ(m1.files[1].sha256, kAbc);
  EXPECT_EQ(m1.files[1].size, 3);
  EXPECT_EQ(m1.files[2].path, "b/y.dat");
  EXPECT_EQ(m1.files[2].sha256, ecg::sha256_hex(std::string(3 << 20, 'y')));
  EXPECT_EQ(manifest_to_json(m1)["files"], manifest_to_json(m3)["files"]);
  EXPECT_EQ(m1.source, "test");
}

TEST(Manifest, JsonRoundTripAndSourceDateEpoch) {
  TempDir d;
  make_tree(d);
  ::setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  const Manifest m = build_manifest(d / "tree", {"physionet:x/1", 0, {}, nullptr});
  ::unsetenv("SOURCE_DATE_EPOCH");
  EXPECT_EQ(m.created, "2023-11-14T22:13:20Z");
  write_manifest(m, d / "m.json");
  const std::string text = ecg::read_file(d / "m.json");
  EXPECT_NE(text.find("\n    {\"mtime_ns\":"), std::string::npos);  // one file per line
  const Manifest back = read_manifest(d / "m.json");
  EXPECT_EQ(manifest_to_json(back), manifest_to_json(m));
  write_manifest(back, d / "m2.json");
  EXPECT_EQ(ecg::read_file(d / "m2.json"), text);  // deterministic bytes
}

TEST(Manifest, ParsesSha256sumsAndNamesBadLines) {
  const Manifest m = parse_sha256sums(std::string(kAbc) + "  b/x.dat\r\n\n" + kEmpty + " *./a.hea\n", "SUMS");
  ASSERT_EQ(m.files.size(), 2u);
  EXPECT_EQ(m.files[0].path, "a.hea");
  EXPECT_EQ(m.files[1].path, "b/x.dat");
  EXPECT_EQ(m.files[1].size, -1);
  EXPECT_EQ(to_sha256sums(m), std::string(kEmpty) + "  a.hea\n" + kAbc + "  b/x.dat\n");
  EXPECT_ERROR_HAS(parse_sha256sums(std::string(kAbc) + "  a\nnot a line\n", "SUMS"),
                   "SUMS:2: expected '<64 hex digits>  <path>', got 'not a line'");
  EXPECT_ERROR_HAS(parse_sha256sums(std::string(kAbc) + "  ../etc/passwd\n", "SUMS"),
                   "SUMS:1: path '../etc/passwd' leaves the tree");
  EXPECT_ERROR_HAS(parse_sha256sums(std::string(kAbc) + "  a\n" + kAbc + "  a\n", "SUMS"), "SUMS: 'a' is listed twice");
  EXPECT_ERROR_HAS(
      manifest_from_json({{"format", "ecgtorch-manifest"}, {"version", 1}, {"files", {{{"path", "a"}}}}}, "m.json"),
      "m.json: files[0]: missing key 'sha256'");
  EXPECT_ERROR_HAS(manifest_from_json({{"format", "ecgtorch-manifest"}, {"version", 9}, {"files", {}}}, "m.json"),
                   "m.json: manifest version 9 is not supported");
}

TEST(Verify, ReportsMissingExtraAndModified) {
  TempDir d;
  make_tree(d);
  const Manifest m = build_manifest(d / "tree", {"", 0, {}, nullptr});
  VerifyReport r = verify_tree(d / "tree", m, {});
  EXPECT_TRUE(r.ok()) << format_report(r);
  EXPECT_EQ(r.hashed, 3);

  d.write("tree/b/x.dat", "abd");  // one corrupted byte, same size
  fs::remove(d / "tree/a.hea");
  d.write("tree/c/new.txt", "new");
  r = verify_tree(d / "tree", m, {});
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.missing, std::vector<std::string>{"a.hea"});
  EXPECT_EQ(r.extra, std::vector<std::string>{"c/new.txt"});
  ASSERT_EQ(r.modified.size(), 1u);
  EXPECT_EQ(r.modified[0].path, "b/x.dat");
  EXPECT_EQ(r.modified[0].expected_sha256, kAbc);
  EXPECT_EQ(r.modified[0].actual_sha256, ecg::sha256_hex("abd"));
  const std::string text = format_report(r);
  EXPECT_NE(text.find("missing   a.hea\n"), std::string::npos) << text;
  EXPECT_NE(text.find("modified  b/x.dat (sha256 " + ecg::sha256_hex("abd") + ", expected " + kAbc + ")"),
            std::string::npos);
  EXPECT_NE(text.find("FAILED: 3 files checked, 1 missing, 1 modified, 1 extra"), std::string::npos) << text;

  d.write("tree/b/y.dat", "short");  // a size change is found without hashing
  r = verify_tree(d / "tree", m, {});
  ASSERT_EQ(r.modified.size(), 2u);
  EXPECT_EQ(r.modified[1].actual_size, 5);
  EXPECT_EQ(r.modified[1].actual_sha256, "");
  EXPECT_EQ(r.hashed, 1);
  const auto j = report_to_json(r);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["missing"][0], "a.hea");
}

TEST(Verify, IncludeAndExclude) {
  TempDir d;
  make_tree(d);
  const Manifest m = build_manifest(d / "tree", {"", 0, {}, nullptr});
  fs::remove(d / "tree/a.hea");
  d.write("tree/SHA256SUMS.txt", to_sha256sums(m));
  VerifyOptions o;
  o.include = {"b/*"};
  EXPECT_TRUE(verify_tree(d / "tree", m, o).ok());
  o.include = {};
  o.exclude = {d / "tree/SHA256SUMS.txt"};
  const auto r = verify_tree(d / "tree", m, o);
  EXPECT_EQ(r.missing, std::vector<std::string>{"a.hea"});
  EXPECT_TRUE(r.extra.empty());
}

TEST(Verify, FastTrustsUnchangedFilesAndRehashesChangedOnes) {
  TempDir d;
  make_tree(d);
  const Manifest m = build_manifest(d / "tree", {"", 0, {}, nullptr});
  VerifyOptions o;
  o.cache_path = d / "cache/verify.json";
  EXPECT_TRUE(verify_tree(d / "tree", m, o).ok());  // full: writes the cache
  o.fast = true;
  VerifyReport r = verify_tree(d / "tree", m, o);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.hashed, 0);
  EXPECT_EQ(r.trusted, 3);

  d.write("tree/b/x.dat", "abd");  // same size, new mtime: re-hashed and caught
  age(d / "tree/b/x.dat", 50);
  r = verify_tree(d / "tree", m, o);
  EXPECT_EQ(r.hashed, 1);
  ASSERT_EQ(r.modified.size(), 1u);
  EXPECT_EQ(r.modified[0].path, "b/x.dat");
  // The cache now holds the new digest: trusted, and still reported as modified.
  r = verify_tree(d / "tree", m, o);
  EXPECT_EQ(r.hashed, 0);
  ASSERT_EQ(r.modified.size(), 1u);
  EXPECT_EQ(r.modified[0].actual_sha256, ecg::sha256_hex("abd"));
}

TEST(Verify, FastNeverTrustsARacyMtime) {
  TempDir d;
  d.write("tree/a", "abc");  // mtime = now: inside the 2 s window of the cache's writing
  const Manifest m = build_manifest(d / "tree", {"", 0, {}, nullptr});
  VerifyOptions o;
  o.cache_path = d / "cache.json";
  verify_tree(d / "tree", m, o);
  o.fast = true;
  EXPECT_EQ(verify_tree(d / "tree", m, o).hashed, 1);
}

TEST(Verify, SharedDataMatchesItsSha256sums) {
  ECG_REQUIRE_SHARED_DATA("SHA256SUMS.txt");
  const fs::path root = ecg::testing::shared_data_dir();
  const Manifest sums = read_manifest(root / "SHA256SUMS.txt");
  EXPECT_GT(sums.files.size(), 100u);
  VerifyOptions o;
  o.exclude = {root / "SHA256SUMS.txt"};
  const auto r = verify_tree(root, sums, o);
  EXPECT_TRUE(r.ok()) << format_report(r);
  EXPECT_EQ(r.hashed, static_cast<int64_t>(sums.files.size()));
}

TEST(TreeDiff, RecordIds) {
  EXPECT_EQ(record_id("records500/00000/00001_hr.dat"), "records500/00000/00001_hr");
  EXPECT_EQ(record_id("records500/00000/00001_hr.hea"), "records500/00000/00001_hr");
  EXPECT_EQ(record_id("train/7663343/7663343-0001.png"), "train/7663343/7663343");
  EXPECT_EQ(record_id("train/7663343/7663343.csv"), "train/7663343/7663343");
  EXPECT_EQ(record_id("00001_lr-0.png"), "00001_lr");
  EXPECT_EQ(record_id("ptb-xl-a/x.tar.gz"), "ptb-xl-a/x");
  EXPECT_EQ(record_id("a/file-name.txt"), "a/file-name");
}

TEST(TreeDiff, GroupsChangesByRecord) {
  auto entry = [](std::string p, std::string sha) { return ManifestEntry{std::move(p), 3, 0, std::move(sha)}; };
  const std::string h1(64, '1'), h2(64, '2'), h3(64, '3');
  Manifest a, b;
  a.files = {entry("r/1.dat", h1), entry("r/1.hea", h1), entry("r/2.dat", h1), entry("r/3.hea", h1)};
  b.files = {entry("r/1.dat", h2), entry("r/1.hea", h1), entry("r/3.hea", h1), entry("r/4-0.png", h3),
             entry("r/4.hea", h3)};
  const TreeDiff d = diff_manifests(a, b);
  EXPECT_EQ(d.added, 2);
  EXPECT_EQ(d.removed, 1);
  EXPECT_EQ(d.modified, 1);
  EXPECT_EQ(d.unchanged, 2);
  ASSERT_EQ(d.by_record.size(), 3u);
  EXPECT_EQ(d.by_record.at("r/4").size(), 2u);
  EXPECT_EQ(format_diff(d),
            "r/1\n  M r/1.dat\nr/2\n  - r/2.dat\nr/4\n  + r/4-0.png\n  + r/4.hea\n"
            "3 records changed: 2 files added, 1 removed, 1 modified, 2 unchanged\n");
  const auto j = diff_to_json(d);
  EXPECT_EQ(j["records"]["r/1"][0]["change"], "modified");
  EXPECT_EQ(j["records"]["r/1"][0]["new_sha256"], h2);
  EXPECT_EQ(j["summary"]["records_changed"], 3);
  EXPECT_TRUE(diff_manifests(a, a).empty());
}
