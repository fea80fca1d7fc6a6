// Safe extraction: traversal, escaping links, zip bombs, atomic files.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/sha256.h"
#include "datamgr/archive_util.h"
#include "datamgr/extract.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace ecg::datamgr;
using ecg::testing::ArchiveEntrySpec;
using ecg::testing::TempDir;
using ecg::testing::write_archive;
using Type = ArchiveEntrySpec::Type;

namespace {

size_t count_files(const fs::path& dir) {
  size_t n = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator(); ++it) {
    n += it->is_symlink() || it->is_regular_file() ? 1 : 0;
  }
  return n;
}

}  // namespace

TEST(Extract, ExtractsFilesDirsAndInsideLinks) {
  TempDir d;
  write_archive(d / "a.zip", {{"train/", "", Type::kDir, ""},
                              {"train/1/1.csv", "I,II\n1,2\n", Type::kFile, ""},
                              {"./train/1/1-0001.png", std::string(5000, 'p'), Type::kFile, ""},
                              {"train/latest", "", Type::kSymlink, "1/1.csv"}});
  const auto r = extract_archive(d / "a.zip", d / "out", {});
  EXPECT_EQ(r.files, 2);
  EXPECT_EQ(r.bytes, 5009);
  EXPECT_EQ(r.paths, (std::vector<std::string>{"train/1/1.csv", "train/1/1-0001.png"}));
  EXPECT_EQ(r.sha256,
            (std::vector<std::string>{ecg::sha256_hex("I,II\n1,2\n"), ecg::sha256_hex(std::string(5000, 'p'))}));
  EXPECT_EQ(ecg::read_file(d / "out/train/1/1.csv"), "I,II\n1,2\n");
  EXPECT_EQ(fs::read_symlink(d / "out/train/latest"), "1/1.csv");
  struct stat st {};
  ASSERT_EQ(::stat((d / "out/train/1/1.csv").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 1700000000);
  EXPECT_EQ(count_files(d / "out"), 3u);  // no temporary file left behind
}

TEST(Extract, IncludeGlobsSelectEntries) {
  TempDir d;
  write_archive(d / "a.zip", {{"train.csv", "id\n", Type::kFile, ""}, {"train/1/1-0001.png", "p", Type::kFile, ""}});
  ExtractOptions o;
  o.include = {"*.csv"};
  const auto r = extract_archive(d / "a.zip", d / "out", o);
  EXPECT_EQ(r.paths, std::vector<std::string>{"train.csv"});
  EXPECT_FALSE(fs::exists(d / "out/train/1/1-0001.png"));
}

TEST(Extract, RefusesTraversalBeforeWritingAnything) {
  TempDir d;
  write_archive(d / "evil.zip",
                {{"good.txt", "fine", Type::kFile, ""}, {"sub/../../evil.txt", "pwned", Type::kFile, ""}});
  EXPECT_ERROR_HAS(extract_archive(d / "evil.zip", d / "out", {}),
                   "evil.zip: entry 'sub/../../evil.txt': '..' leaves the destination");
  EXPECT_FALSE(fs::exists(d / "evil.txt"));
  EXPECT_FALSE(fs::exists(d / "out/good.txt"));  // checked before anything was written

  write_archive(d / "abs.zip", {{"/tmp/ecgtorch-evil", "x", Type::kFile, ""}});
  EXPECT_ERROR_HAS(extract_archive(d / "abs.zip", d / "out", {}), "entry '/tmp/ecgtorch-evil': absolute path");
  write_archive(d / "win.zip", {{"..\\evil.txt", "x", Type::kFile, ""}});
  EXPECT_ERROR_HAS(extract_archive(d / "win.zip", d / "out", {}), "'..' leaves the destination");
}

TEST(Extract, RefusesLinksThatEscape) {
  TempDir d;
  write_archive(d / "s.zip", {{"a/link", "", Type::kSymlink, "../../etc"}});
  EXPECT_ERROR_HAS(extract_archive(d / "s.zip", d / "out", {}),
                   "entry 'a/link': symlink to '../../etc' leaves the destination");
  write_archive(d / "s2.zip", {{"link", "", Type::kSymlink, "/etc/passwd"}});
  EXPECT_ERROR_HAS(extract_archive(d / "s2.zip", d / "out", {}), "symlink to '/etc/passwd' leaves the destination");
  write_archive(d / "h.tar", {{"h", "", Type::kHardlink, "../outside"}}, "tar");
  EXPECT_ERROR_HAS(extract_archive(d / "h.tar", d / "out", {}), "entry 'h': hardlink target '../outside'");
  // A link that stays inside, then a file written through it, is refused too.
  write_archive(d / "through.tar",
                {{"dir/", "", Type::kDir, ""}, {"l", "", Type::kSymlink, "dir"}, {"l/f", "x", Type::kFile, ""}}, "tar");
  EXPECT_ERROR_HAS(extract_archive(d / "through.tar", d / "out2", {}), "refusing to write through the symlink");
  EXPECT_EQ(count_files(d.path()), 4u + 1u);  // the four archives and the one link
  EXPECT_TRUE(symlink_stays_inside("a/b/l", "../c"));
  EXPECT_FALSE(symlink_stays_inside("a/l", "../../c"));
}

TEST(Extract, InsideHardlinksWork) {
  TempDir d;
  write_archive(d / "h.tar", {{"a.txt", "abc", Type::kFile, ""}, {"b.txt", "", Type::kHardlink, "a.txt"}}, "tar");
  extract_archive(d / "h.tar", d / "out", {});
  EXPECT_EQ(ecg::read_file(d / "out/b.txt"), "abc");
}

TEST(Extract, RefusesZipBombs) {
  TempDir d;
  write_archive(d / "bomb.zip", {{"zeros.bin", std::string(20 << 20, '\0'), Type::kFile, ""}});
  const auto archive_bytes = fs::file_size(d / "bomb.zip");
  EXPECT_LT(archive_bytes, 100000u);
  ExtractOptions o;
  o.max_ratio = 100;
  EXPECT_ERROR_HAS(extract_archive(d / "bomb.zip", d / "out", o), "over the ratio limit of 100 (a zip bomb?)");
  EXPECT_FALSE(fs::exists(d / "out/zeros.bin"));
  o.max_ratio = 1e9;
  o.max_total_bytes = 10 << 20;
  EXPECT_ERROR_HAS(extract_archive(d / "bomb.zip", d / "out", o),
                   "declares 20971520 bytes, over the limit of 10485760");
  o.max_total_bytes = 1 << 30;
  EXPECT_EQ(extract_archive(d / "bomb.zip", d / "out", o).bytes, 20 << 20);
}

TEST(Extract, DamagedArchiveIsAnError) {
  TempDir d;
  d.write("bad.zip", "PK\x03\x04 this is not a zip");
  EXPECT_ERROR_HAS(extract_archive(d / "bad.zip", d / "out", {}), "bad.zip");
  EXPECT_ERROR_HAS(safe_entry_path(""), "empty name");
  EXPECT_EQ(safe_entry_path("./a//b/./c"), "a/b/c");
}
