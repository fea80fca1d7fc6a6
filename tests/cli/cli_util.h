#pragma once
// Running the ecgtorch binary from tests: to completion (run_cli) or in the background
// (spawn_cli), with stdout and stderr captured to files.

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "test_util.h"

namespace ecg::testing {

// $ECGTORCH_CLI, else ../bin/ecgtorch beside this test binary (the build tree's layout).
inline std::string cli_path() {
  if (const char* v = std::getenv("ECGTORCH_CLI")) return v;
  return (std::filesystem::canonical("/proc/self/exe").parent_path().parent_path() / "bin" / "ecgtorch").string();
}

struct Result {
  int status = -1;
  std::string out;
  std::string err;
};

/// Starts the CLI with `args`, stdout / stderr to the given files; returns its pid.
inline pid_t spawn_cli(const std::vector<std::string>& args, const std::filesystem::path& out_path,
                       const std::filesystem::path& err_path, const std::vector<std::string>& env = {}) {
  const std::string cli = cli_path();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, 1);
    ::dup2(err, 2);
    for (const auto& kv : env) ::putenv(const_cast<char*>(kv.c_str()));
    std::vector<char*> argv{const_cast<char*>(cli.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

/// Exit status of a finished child: its code, or 128 + signal.
inline int wait_status(pid_t pid) {
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : -1;
}

inline Result run_cli(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
  TempDir tmp;
  const auto out_path = tmp / "out", err_path = tmp / "err";
  Result r;
  const int status = wait_status(spawn_cli(args, out_path, err_path, env));
  r.status = status >= 128 ? -1 : status;
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  return r;
}

}  // namespace ecg::testing
