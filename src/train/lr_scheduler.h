#pragma once
// Learning-rate schedules as multipliers of each parameter group's base lr:
//   constant:       1
//   step:           gamma^floor(step / step_size)
//   warmup_cosine:  linear from 0 to 1 over warmup_steps, then cosine from 1 down to
//                   min_factor at total_steps, min_factor after that
// `step` counts optimizer steps from 0.

#include <torch/arg.h>
#include <torch/optim/optimizer.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "core/registry.h"

namespace ecg::train {

class LrScheduler {
 public:
  virtual ~LrScheduler() = default;
  /// Multiplier of the base learning rate at optimizer step `step` (>= 0).
  virtual double factor(int64_t step) const = 0;
};

using SchedulerRegistry = Registry<LrScheduler>;

struct StepLrOptions {
  TORCH_ARG(int64_t, step_size) = 1000;  // steps
  TORCH_ARG(double, gamma) = 0.1;
};

struct WarmupCosineOptions {
  TORCH_ARG(int64_t, warmup_steps) = 0;
  TORCH_ARG(int64_t, total_steps) = 10000;
  TORCH_ARG(double, min_factor) = 0.0;
};

class ConstantLr : public LrScheduler {
 public:
  double factor(int64_t) const override { return 1.0; }
};

class StepLr : public LrScheduler {
 public:
  explicit StepLr(StepLrOptions o);
  double factor(int64_t step) const override;

 private:
  StepLrOptions o_;
};

class WarmupCosineLr : public LrScheduler {
 public:
  explicit WarmupCosineLr(WarmupCosineOptions o);
  double factor(int64_t step) const override;

 private:
  WarmupCosineOptions o_;
};

/// Sets every group's lr to base_lrs[i] * factor. base_lrs has one entry per group.
void apply_lr(torch::optim::Optimizer& optimizer, const std::vector<double>& base_lrs, double factor);

void register_builtin_schedulers(SchedulerRegistry& registry);

}  // namespace ecg::train
