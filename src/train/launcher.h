#pragma once
// Local multi-process launch for `ecgtorch train --nproc N`: starts N copies of the
// program (fork + exec of /proc/self/exe, no shell) with the torchrun environment
// RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR=127.0.0.1 and a free MASTER_PORT, and waits.
// A SIGINT or SIGTERM to the launcher is passed on to every rank (each saves and
// stops); when one rank fails the others get SIGTERM, and SIGKILL 10 s later.
//
//   int status = launch_local({"/path/ecgtorch", "train", "--config", "x.yaml"}, 2);

#include <cstdint>
#include <string>
#include <vector>

namespace ecg::train {

/// A TCP port on 127.0.0.1 that was free a moment ago.
int free_tcp_port();

/// Exit status: 0 when every rank exits 0, else the first failure's status (128 + signal
/// for a rank killed by a signal). Throws ecg::Error when a process cannot be started.
int launch_local(const std::vector<std::string>& argv, int64_t nproc);

}  // namespace ecg::train
