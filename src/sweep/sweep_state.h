#pragma once
// A sweep's state, DIR/sweep.json: its spec and every trial. Written atomically (temp +
// rename) under an exclusive lock on DIR/sweep.lock, so several processes (workers on
// several machines sharing the directory) may update it safely.
//
// Trial statuses: pending (sampled, not running: after an interruption), running,
// completed, pruned, failed.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sweep/asha.h"
#include "sweep/sampler.h"
#include "sweep/search_space.h"

namespace ecg::sweep {

struct SweepSpec {
  std::string config;                    // the job config, absolute
  std::vector<std::string> config_dirs;  // --config-dir, absolute
  std::vector<std::string> overrides;    // applied to every trial
  SearchSpace space;
  std::string sampler = "tpe";
  SamplerOptions sampler_options;
  int64_t trials = 20;
  std::string metric = "val/loss";
  std::string mode = "min";  // min | max
  bool prune = false;        // ASHA
  AshaOptions asha;
};

struct Trial {
  int64_t id = 0;
  std::vector<double> x;                      // internal coordinates
  std::map<std::string, std::string> params;  // path -> override value
  std::string status = "pending";
  std::string owner;  // host:pid of the sweep process running it
  int64_t pid = 0;
  int exit_status = 0;
  std::optional<double> value;  // best val metric (per mode)
  int64_t value_step = 0;
  std::vector<std::pair<int64_t, double>> curve;  // (step, metric)
  std::map<int64_t, double> rungs;                // ASHA rung -> metric there
  int64_t pruned_at_step = 0;
  std::string started, ended;         // ISO 8601 UTC
  std::vector<std::string> log_tail;  // failed: last lines of stderr
};

struct SweepState {
  SweepSpec spec;
  std::vector<Trial> trials;
};

nlohmann::json state_to_json(const SweepState& s);
SweepState state_from_json(const nlohmann::json& j, const std::string& source);
SweepState read_state(const std::filesystem::path& dir);
void write_state(const std::filesystem::path& dir, const SweepState& s);

/// An exclusive flock(2) on DIR/sweep.lock for the object's lifetime.
class SweepLock {
 public:
  explicit SweepLock(const std::filesystem::path& dir);
  ~SweepLock();
  SweepLock(const SweepLock&) = delete;
  SweepLock& operator=(const SweepLock&) = delete;

 private:
  int fd_ = -1;
};

/// Trials ranked: completed by value (best first, per mode), then pruned by value, then
/// the rest by id.
std::vector<const Trial*> ranked(const SweepState& s);

/// The ranked table as markdown (results.md, `sweep --status`).
std::string results_markdown(const SweepState& s);
/// results.csv: rank, trial, status, value, step, one column per parameter, run_dir.
std::string results_csv(const SweepState& s, const std::filesystem::path& dir);
/// Writes results.csv, results.md and (when a trial completed) best_config.yaml: the
/// best trial's resolved config with a comment naming its parameters and value.
void write_results(const std::filesystem::path& dir, const SweepState& s);

std::filesystem::path trial_dir(const std::filesystem::path& dir, int64_t id);

}  // namespace ecg::sweep
