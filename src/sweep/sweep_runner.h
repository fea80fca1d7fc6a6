#pragma once
// Runs a sweep: each trial is a child `ecgtorch train` process (fork + exec, arguments
// as a vector, no shell) with the trial's overrides and run_dir=DIR/trials/trial_NNNN/run,
// its stdout and stderr in stdout.txt / stderr.txt beside it, in its own process group
// (a Ctrl-C reaches the sweep, which stops the trials itself) and killed with SIGTERM
// if the sweep process dies (PR_SET_PDEATHSIG).
//
// The loop, every poll interval, under the sweep lock: reap finished children (exit 0
// -> completed, with the best value of the metric in its metrics.jsonl; pruned by us ->
// pruned; anything else -> failed, with the exit status and the last lines of stderr);
// read new metric rows of running trials (ASHA decisions: SIGTERM to a trial that is
// not promoted); start trials while fewer than `parallel` of ours run: first pending
// ones (left by an interrupted run), then newly sampled ones until spec.trials exist.
//
// Determinism: trial k's point depends only on (seed, k) and on the finished trials
// with id <= k - parallel, which the runner waits for (TPE); with --worker several
// processes share the sweep and TPE sees whatever has finished (not deterministic).
//
// On SIGINT/SIGTERM (stop): SIGTERM to the running trials, wait for them (SIGKILL after
// 30 s), mark them pending, save, and return the signal.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "sweep/sweep_state.h"
#include "train/stop_signal.h"

namespace ecg::sweep {

struct RunnerOptions {
  std::filesystem::path dir;
  std::string program;  // the ecgtorch executable
  int64_t parallel = 1;
  bool worker = false;  // share the sweep with other processes
  double poll_s = 0.2;
  const train::StopSignal* stop = nullptr;
  std::function<void(const std::string&)> info;  // one line per event
};

struct RunnerOutcome {
  int64_t completed = 0, pruned = 0, failed = 0;  // over the whole sweep
  int stop_signal = 0;
};

/// Creates DIR/sweep.json for a new sweep; throws ecg::Error if one exists.
void create_sweep(const std::filesystem::path& dir, const SweepSpec& spec);

/// Runs until every trial of the sweep is finished (or stop). Marks trials this host
/// owned whose process is gone as pending first (a crashed sweep).
RunnerOutcome run_sweep(const RunnerOptions& options);

/// The child's argument vector for a trial (argv[0] = program).
std::vector<std::string> trial_command(const SweepSpec& spec, const Trial& t, const std::filesystem::path& dir,
                                       const std::string& program);

/// Samples trials 0..n-1 without running anything (grid / random only): `--dry-run`.
std::vector<Trial> plan_trials(const SweepSpec& spec);

}  // namespace ecg::sweep
