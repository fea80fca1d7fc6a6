#pragma once
// Running the ecgtorch binary (run_cli, spawn_cli) or another program (run_process,
// spawn_process) from tests: to completion or in the background, with stdout and stderr
// captured to files.

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

/// Starts `argv` (argv[0] a path, or a name looked up on PATH), stdout / stderr to the
/// given files, `env` entries ("K=V") added to the environment; returns its pid.
inline pid_t spawn_process(const std::vector<std::string>& argv, const std::filesystem::path& out_path,
                           const std::filesystem::path& err_path, const std::vector<std::string>& env = {}) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, 1);
    ::dup2(err, 2);
    for (const auto& kv : env) ::putenv(const_cast<char*>(kv.c_str()));
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

/// Starts the CLI with `args`, stdout / stderr to the given files; returns its pid.
inline pid_t spawn_cli(const std::vector<std::string>& args, const std::filesystem::path& out_path,
                       const std::filesystem::path& err_path, const std::vector<std::string>& env = {}) {
  std::vector<std::string> argv{cli_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return spawn_process(argv, out_path, err_path, env);
}

/// Exit status of a finished child: its code, or 128 + signal.
inline int wait_status(pid_t pid) {
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : -1;
}

/// Runs `argv` to completion (see spawn_process); status -1 when it was killed.
inline Result run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env = {}) {
  TempDir tmp;
  const auto out_path = tmp / "out", err_path = tmp / "err";
  Result r;
  const int status = wait_status(spawn_process(argv, out_path, err_path, env));
  r.status = status >= 128 ? -1 : status;
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  return r;
}

inline Result run_cli(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
  std::vector<std::string> argv{cli_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, env);
}

}  // namespace ecg::testing
