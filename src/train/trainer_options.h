#pragma once
// TrainerOptions: the `trainer` section of a job config, i.e. how the loop runs.
//
//   trainer:
//     task: auto            # auto | digitize | classify | toy: how batches meet model and loss
//     max_steps: 2000       # optimizer steps
//     batch_size: 8         # per process
//     val_every: 200        # steps; also checkpoints unless checkpoint_every says otherwise
//     best_metric: val/snr_kaggle_db
//     best_mode: max
//
// Steps are optimizer steps; each consumes `accumulate` batches. An epoch is one pass
// over a finite dataset (floor(N / (batch_size * world_size * accumulate)) steps), or
// `steps_per_epoch` steps of an infinite one.

#include <torch/arg.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/options_binder.h"

namespace ecg::train {

struct TrainerOptions {
  TORCH_ARG(std::string, task) = "auto";  // auto | digitize | classify | toy (toy_task.h)
  TORCH_ARG(int64_t, max_steps) = 1000;
  TORCH_ARG(int64_t, steps_per_epoch) = 100;  // infinite datasets only
  TORCH_ARG(int64_t, batch_size) = 8;
  TORCH_ARG(int64_t, workers) = 1;
  TORCH_ARG(int64_t, prefetch) = 2;
  TORCH_ARG(int64_t, accumulate) = 1;
  TORCH_ARG(double, grad_clip_norm) = 0.0;                                           // 0: off
  TORCH_ARG(std::vector<std::string>, lr_multipliers) = std::vector<std::string>{};  // "prefix=factor"
  TORCH_ARG(double, ema_decay) = 0.0;                                                // 0: off
  TORCH_ARG(std::string, amp) = "off";                                               // off | bf16 | fp16 | auto
  TORCH_ARG(bool, channels_last) = false;
  TORCH_ARG(bool, skip_nonfinite) = false;
  TORCH_ARG(int64_t, val_every) = 100;       // steps; 0: only at the end
  TORCH_ARG(int64_t, val_batches) = 0;       // 0: the whole validation set (needed for infinite ones)
  TORCH_ARG(double, val_fraction) = 0.0;     // held out of a finite `data` when there is no val_data
  TORCH_ARG(int64_t, checkpoint_every) = 0;  // steps; 0: at each validation
  TORCH_ARG(int64_t, keep_last) = 2;
  TORCH_ARG(std::string, best_metric) = "val/loss";
  TORCH_ARG(std::string, best_mode) = "min";    // min | max
  TORCH_ARG(int64_t, early_stop_patience) = 0;  // validations without improvement; 0: off
  TORCH_ARG(int64_t, log_every) = 10;
  TORCH_ARG(int64_t, plots) = 4;  // validation examples drawn as PNG / TensorBoard images
  TORCH_ARG(bool, tensorboard) = true;
  TORCH_ARG(bool, progress) = true;
};

/// Binds TrainerOptions to the keys above, with ranges and choices.
config::OptionsBinder<TrainerOptions> trainer_options_binder();

/// Parses lr_multipliers ("encoder=0.1"): parameter-name prefix -> factor. Throws
/// ecg::Error naming the entry when it is not "prefix=number" or the factor is < 0.
std::vector<std::pair<std::string, double>> parse_lr_multipliers(const std::vector<std::string>& entries);

}  // namespace ecg::train
