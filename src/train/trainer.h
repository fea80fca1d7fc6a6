#pragma once
// The training loop of `ecgtorch train` and the evaluation of `ecgtorch eval`.
//
// A job config (see registries.h for its sections, trainer_options.h for `trainer`)
// names the model, loss, data (and optional val_data), optimizer, scheduler and metrics.
// train() runs it in a run directory:
//   config.yaml command.txt env.json log.txt   the run (core/run_dir.h)
//   metrics.jsonl metrics.csv                  per log_every steps ("train") and per validation ("val")
//   checkpoints/step_XXXXXXXX.pt, best.pt      train/checkpoint.h; the last keep_last step ones
//   tb/events.out.tfevents.*                   TensorBoard scalars and validation images
//   plots/step_XXXXXXXX_<i>.png                validation predictions
//
// Determinism: the order of examples is a function of (seed, epoch), the data of the
// index, and the RNG state is checkpointed, so a run resumed from a checkpoint on CPU
// ends with the same weights as one that never stopped.
// Distributed: with WORLD_SIZE > 1 in the environment (see distributed.h) every
// process takes batch_size examples of each global batch, gradients are averaged, the
// validation metrics merged, and rank 0 alone writes the run directory.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config_node.h"
#include "train/registries.h"
#include "train/stop_signal.h"

namespace ecg::train {

struct TrainRequest {
  config::ConfigNode config;  // resolved and checked against job_schema()
  /// Continue the run in this directory from its newest step checkpoint.
  std::optional<std::filesystem::path> resume_dir;
  std::vector<std::string> argv;  // for command.txt
};

struct TrainResult {
  std::filesystem::path run_dir;          // empty on ranks other than 0
  std::filesystem::path best_checkpoint;  // empty when the run never validated
  std::filesystem::path last_checkpoint;
  int64_t steps = 0;
  std::string best_metric;
  double best_value = 0;
  std::map<std::string, double> last_validation;
  std::string stop_reason;  // "max_steps" | "early_stop" | "SIGINT" | "SIGTERM"
  int stop_signal = 0;
};

/// Runs (or resumes) a training job. `stop` (may be null) is polled after every step.
/// Throws ecg::Error on bad config or data and on a non-finite loss (naming the step)
/// unless trainer.skip_nonfinite.
TrainResult train(const TrainRequest& request, const Registries& regs, const StopSignal* stop);

struct EvalOptions {
  std::filesystem::path plots_dir;  // non-empty: the task's plots of the first max_plots examples, <example id>.png
  int64_t max_plots = 16;
  bool per_example = false;  // also each example's metrics
};

/// Validates a checkpoint's model (its EMA weights when it has them) on the config's
/// validation data, the checkpoint's config with `overrides` applied. Returns
/// {"checkpoint", "step", "weights": "ema"|"model", "metrics": {...}, "examples": N},
/// plus "per_example": [{"id", "metrics"}] and "plots": [files] when asked for.
nlohmann::json evaluate(const std::filesystem::path& checkpoint, const std::vector<std::string>& overrides,
                        const Registries& regs, const EvalOptions& options = {});

/// The newest step checkpoint of a run directory; throws ecg::Error when there is none.
std::filesystem::path latest_checkpoint(const std::filesystem::path& run_dir);

}  // namespace ecg::train
