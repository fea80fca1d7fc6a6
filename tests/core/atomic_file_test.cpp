#include "core/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

TEST(WriteFileAtomic, PermissionDeniedKeepsTheOldFileAndNamesThePath) {
  ecg::testing::TempDir tmp;
  const auto p = tmp.write("ro/file.txt", "old");
  ::chmod(tmp.path().c_str(), 0755);
  ::chmod(p.parent_path().c_str(), 0555);
  const std::string want = p.string() + ": cannot write: Permission denied";
  // Root ignores permissions, so the write runs in a child that drops to 'nobody'.
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(3);
    try {
      write_file_atomic(p, "new");
    } catch (const std::exception& e) {
      ::_exit(std::string(e.what()).find(want) != std::string::npos ? 0 : 2);
    }
    ::_exit(1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: no error, 2: wrong message (want '" << want << "'), 3: setuid failed";
  ::chmod(p.parent_path().c_str(), 0755);
  EXPECT_EQ(read_file(p), "old");
}

TEST(WriteFileAtomic, ParentThatIsAFileIsReported) {
  ecg::testing::TempDir tmp;
  const auto f = tmp.write("plain", "x");
  EXPECT_ERROR_HAS(write_file_atomic(f / "child.txt", "y"), (f / "child.txt").string() + ": cannot create directory");
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
