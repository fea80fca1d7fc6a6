#include "train/launcher.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "core/error.h"
#include "train/stop_signal.h"

namespace ecg::train {

int free_tcp_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ECG_CHECK(fd >= 0, "launcher: socket(): ", std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  close(fd);
  ECG_CHECK(ok, "launcher: cannot find a free port on 127.0.0.1: ", std::strerror(errno));
  return ntohs(addr.sin_port);
}

int launch_local(const std::vector<std::string>& argv, int64_t nproc) {
  ECG_CHECK(nproc >= 1, "--nproc: must be >= 1, got ", nproc);
  ECG_CHECK(!argv.empty(), "launcher: empty command");
  const int port = free_tcp_port();
  StopSignal stop;  // the launcher itself does not die on Ctrl-C: it waits for its ranks
  std::vector<pid_t> pids;
  for (int64_t r = 0; r < nproc; ++r) {
    const pid_t pid = fork();
    ECG_CHECK(pid >= 0, "launcher: fork(): ", std::strerror(errno));
    if (pid == 0) {
      signal(SIGINT, SIG_DFL);
      signal(SIGTERM, SIG_DFL);
      setenv("RANK", std::to_string(r).c_str(), 1);
      setenv("LOCAL_RANK", std::to_string(r).c_str(), 1);
      setenv("WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      setenv("MASTER_ADDR", "127.0.0.1", 1);
      setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv("/proc/self/exe", args.data());
      std::fprintf(stderr, "ecgtorch: error: launcher: exec failed: %s\n", std::strerror(errno));
      _exit(127);
    }
    pids.push_back(pid);
  }
  int status_out = 0;
  bool forwarded = false;
  auto failed_at = std::chrono::steady_clock::time_point::max();
  size_t running = pids.size();
  while (running > 0) {
    // A rank blocked in a collective with a dead peer cannot act on SIGTERM: kill it.
    if (std::chrono::steady_clock::now() - failed_at > std::chrono::seconds(10)) {
      for (pid_t p : pids) {
        if (p > 0) kill(p, SIGKILL);
      }
      failed_at = std::chrono::steady_clock::time_point::max();
    }
    if (!forwarded && stop.requested() != 0) {
      for (pid_t p : pids) {
        if (p > 0) kill(p, SIGTERM);
      }
      forwarded = true;
    }
    int st = 0;
    const pid_t done = waitpid(-1, &st, WNOHANG);
    if (done <= 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    for (auto& p : pids) {
      if (p == done) p = -1;
    }
    --running;
    const int code = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
    if (code != 0 && status_out == 0) {
      status_out = code;
      failed_at = std::chrono::steady_clock::now();
      for (pid_t p : pids) {
        if (p > 0) kill(p, SIGTERM);
      }
    }
  }
  return status_out;
}

}  // namespace ecg::train
