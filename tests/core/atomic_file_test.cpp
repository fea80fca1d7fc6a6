#include "core/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>

#include "test_util.h"

namespace ecg {
namespace {

TEST(WriteFileAtomic, WritesReplacesAndLeavesNoTemporaries) {
  ecg::testing::TempDir tmp;
  const auto p = tmp / "sub/dir/file.txt";
  write_file_atomic(p, "first");
  EXPECT_EQ(read_file(p), "first");
  write_file_atomic(p, std::string(1 << 20, 'x'));
  EXPECT_EQ(read_file(p).size(), size_t{1} << 20);
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(p.parent_path())) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST(WriteFileAtomic, FailureKeepsTheOldFileAndNamesThePath) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  ecg::testing::TempDir tmp;
  const auto p = tmp.write("ro/file.txt", "old");
  ::chmod(p.parent_path().c_str(), 0555);
  EXPECT_ERROR_HAS(write_file_atomic(p, "new"), (p.string() + ": cannot write: Permission denied"));
  ::chmod(p.parent_path().c_str(), 0755);
  EXPECT_EQ(read_file(p), "old");
}

TEST(WriteFileAtomic, FailedWriteKeepsTheOldFile) {
  // A file-size limit makes write() fail part-way (EFBIG), as a full disk would.
  ecg::testing::TempDir tmp;
  const auto p = tmp.write("file.txt", "old");
  struct rlimit old_limit {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old_limit;
  small.rlim_cur = 4096;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  const std::string msg = ecg::testing::error_of([&] { write_file_atomic(p, std::string(1 << 20, 'x')); });
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_NE(msg.find(p.string() + ": write failed: File too large"), std::string::npos) << msg;
  EXPECT_EQ(read_file(p), "old");
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(tmp.path())) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1);  // the temporary was removed
}

TEST(ReadFile, MissingFileIsNamed) {
  EXPECT_ERROR_HAS(read_file("/no/such/file"), "/no/such/file: cannot open");
}

}  // namespace
}  // namespace ecg
