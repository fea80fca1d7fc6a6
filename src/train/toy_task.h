#pragma once
// The `toy` task: a training run with a known optimum and no model, for testing and
// demonstrating hyperparameter search (`ecgtorch sweep`) in seconds.
//
//   trainer: {task: toy, max_steps: 60, val_every: 10, best_metric: val/toy, best_mode: max}
//   toy: {x: 0.0, y: 0.0, noise: 0.0, step_ms: 0}
//   optimizer: {name: adamw, lr: 1.0e-3}
//
// Quality q = 1 - (x - 0.7)^2 - (y + 0.3)^2 - 0.25 (log10(lr) + 2)^2, at most 1, reached at
// x = 0.7, y = -0.3, lr = 1e-2. Validation at step s reports
//   val/toy = q (1 - exp(-4 s / max_steps)) + noise * N(0, 1)
// (a learning curve: early values rank trials like final ones, as ASHA assumes), with
// the noise seeded by (seed, s). Each step sleeps step_ms. The run writes what a real run
// does (run directory, config.yaml, metrics.jsonl/csv with train/loss = 1 - val/toy) and
// stops on SIGINT/SIGTERM like one.

#include "core/config_node.h"
#include "core/options_binder.h"
#include "train/stop_signal.h"
#include "train/trainer.h"

namespace ecg::train {

struct ToyOptions {
  TORCH_ARG(double, x) = 0.0;
  TORCH_ARG(double, y) = 0.0;
  TORCH_ARG(double, noise) = 0.0;
  TORCH_ARG(int64_t, step_ms) = 0;
};

config::OptionsBinder<ToyOptions> toy_options_binder();

/// q of the formula above.
double toy_quality(double x, double y, double lr);

/// True when the config's trainer.task is "toy".
bool is_toy_job(const config::ConfigNode& config);

TrainResult train_toy(const TrainRequest& request, const StopSignal* stop);

}  // namespace ecg::train
