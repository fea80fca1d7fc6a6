// Fault injection: a full disk (RLIMIT_FSIZE makes writes fail with EFBIG, as ENOSPC
// would), permission denied, truncated files, and SIGKILL in the middle of a checkpoint
// write. The previous file must stay valid, and no half file may carry the real name.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include <torch/torch.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/wfdb.h"
#include "datamgr/manifest.h"
#include "test_util.h"
#include "train/checkpoint.h"

namespace fs = std::filesystem;
using ecg::testing::TempDir;

namespace {

struct ChildResult {
  int status = -1;
  std::string message;  // what() of the ecg::Error the child caught
};

/// Runs `fn` in a forked child after `setup` (limits, privileges); the child exits 0 on
/// success, 1 on ecg::Error (message sent back), 2 on anything else.
ChildResult run_in_child(const std::function<void()>& setup, const std::function<void()>& fn) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    int code = 0;
    std::string msg;
    try {
      setup();
      fn();
    } catch (const ecg::Error& e) {
      code = 1;
      msg = e.what();
    } catch (const std::exception& e) {
      code = 2;
      msg = e.what();
    }
    if (!msg.empty()) (void)!::write(fds[1], msg.data(), msg.size());
    ::_exit(code);
  }
  ::close(fds[1]);
  ChildResult r;
  char buf[1024];
  ssize_t n = 0;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) r.message.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
  return r;
}

void limit_file_size(rlim_t bytes) {
  ::signal(SIGXFSZ, SIG_IGN);  // a write past the limit then fails with EFBIG
  const rlimit r{bytes, bytes};
  ::setrlimit(RLIMIT_FSIZE, &r);
}

void drop_privileges() {
  if (::getuid() == 0) {
    (void)!::setgid(65534);
    (void)!::setuid(65534);  // "nobody": root would ignore the directory's mode
  }
}

torch::nn::Linear model_with(float value) {
  torch::nn::Linear m(256, 256);
  torch::NoGradGuard g;
  m->weight.fill_(value);
  m->bias.fill_(value);
  return m;
}

float first_weight(const fs::path& ckpt) {
  torch::nn::Linear m(256, 256);
  ecg::train::load_checkpoint(ckpt, {nullptr, m.get(), nullptr, nullptr, false});
  return m->weight[0][0].item<float>();
}

size_t entries(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

ecg::datamgr::Manifest big_manifest(size_t n) {
  ecg::datamgr::Manifest m;
  m.created = "2026-01-01T00:00:00Z";
  for (size_t i = 0; i < n; ++i)
    m.files.push_back({"records/" + std::to_string(100000 + i) + ".dat", 1000, 1, std::string(64, 'a')});
  return m;
}

}  // namespace

TEST(FaultInjection, DiskFullDuringCheckpointKeepsThePreviousOne) {
  TempDir d;
  const fs::path ckpt = d / "ckpts/step_00000100.pt";
  auto a = model_with(1.0f);
  ecg::train::save_checkpoint(ckpt, {nullptr, a.get(), nullptr, nullptr, false});
  ASSERT_GT(fs::file_size(ckpt), 200000u);
  const auto r = run_in_child([] { limit_file_size(100000); },
                              [&] {
                                auto b = model_with(2.0f);
                                ecg::train::save_checkpoint(ckpt, {nullptr, b.get(), nullptr, nullptr, false});
                              });
  EXPECT_EQ(r.status, 1) << r.message;
  EXPECT_NE(r.message.find("step_00000100.pt: write failed: File too large"), std::string::npos) << r.message;
  EXPECT_EQ(first_weight(ckpt), 1.0f);  // the old checkpoint, whole
  EXPECT_EQ(entries(d / "ckpts"), 1u);  // and no temporary file left
}

TEST(FaultInjection, DiskFullDuringManifestWriteKeepsThePreviousOne) {
  TempDir d;
  const fs::path path = d / "m.json";
  ecg::datamgr::write_manifest(big_manifest(3), path);
  const std::string before = ecg::read_file(path);
  const auto r =
      run_in_child([] { limit_file_size(64 << 10); }, [&] { ecg::datamgr::write_manifest(big_manifest(5000), path); });
  EXPECT_EQ(r.status, 1) << r.message;
  EXPECT_NE(r.message.find("m.json: write failed: File too large"), std::string::npos) << r.message;
  EXPECT_EQ(ecg::read_file(path), before);
  EXPECT_EQ(entries(d.path()), 1u);
}

TEST(FaultInjection, PermissionDeniedIsOneClearLine) {
  TempDir d;
  fs::permissions(d.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                fs::perms::others_read | fs::perms::others_exec);  // "nobody" may look in
  fs::create_directories(d / "ro");
  fs::permissions(d / "ro", fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  auto r = run_in_child(drop_privileges, [&] { ecg::datamgr::write_manifest(big_manifest(2), d / "ro/m.json"); });
  EXPECT_EQ(r.status, 1) << r.message;
  EXPECT_NE(r.message.find("ro/m.json: cannot write: Permission denied"), std::string::npos) << r.message;
  r = run_in_child(drop_privileges, [&] {
    auto m = model_with(1.0f);
    ecg::train::save_checkpoint(d / "ro/c.pt", {nullptr, m.get(), nullptr, nullptr, false});
  });
  EXPECT_EQ(r.status, 1) << r.message;
  EXPECT_NE(r.message.find("c.pt: cannot write: Permission denied"), std::string::npos) << r.message;
  EXPECT_EQ(entries(d / "ro"), 0u);
}

TEST(FaultInjection, TruncatedFilesAreNamedErrors) {
  TempDir d;
  auto a = model_with(1.0f);
  ecg::train::save_checkpoint(d / "c.pt", {nullptr, a.get(), nullptr, nullptr, false});
  const std::string bytes = ecg::read_file(d / "c.pt");
  ecg::write_file_atomic(d / "cut.pt", bytes.substr(0, bytes.size() / 2));
  EXPECT_ERROR_HAS(first_weight(d / "cut.pt"), "cut.pt");
  ecg::datamgr::write_manifest(big_manifest(10), d / "m.json");
  const std::string m = ecg::read_file(d / "m.json");
  ecg::write_file_atomic(d / "m_cut.json", m.substr(0, m.size() - 40));
  EXPECT_ERROR_HAS(ecg::datamgr::read_manifest(d / "m_cut.json"), "m_cut.json: invalid JSON at byte");
  d.write("r.hea", "r 2 250 100\nr.dat 16 200 16 0 0 0 0 I\nr.dat 16 200 16 0 0 0 0 II\n");
  d.write("r.dat", std::string(399, '\0'));  // one byte short of 100 frames of 2 x 16 bits
  EXPECT_ERROR_HAS(ecg::data::read_wfdb(d / "r"), "r.dat");
}

TEST(FaultInjection, SigkillDuringCheckpointWritesLeavesAValidCheckpoint) {
  TempDir d;
  const fs::path ckpt = d / "step.pt";
  auto first = model_with(0.0f);
  ecg::train::save_checkpoint(ckpt, {nullptr, first.get(), nullptr, nullptr, false});
  for (int round = 0; round < 5; ++round) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      for (int i = 1;; ++i) {  // rewrites the checkpoint as fast as it can
        auto m = model_with(static_cast<float>(i));
        ecg::train::save_checkpoint(ckpt, {nullptr, m.get(), nullptr, nullptr, false});
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30 + 17 * round));
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    // Whatever the moment, the file under the real name is a whole checkpoint.
    const float w = first_weight(ckpt);
    EXPECT_EQ(w, std::round(w));
  }
}
