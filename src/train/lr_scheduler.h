#pragma once
// Learning-rate schedules as multipliers of each parameter group's base lr:
//   constant:       1
//   step:           gamma^floor(step / step_size)
//   warmup_cosine:  linear from 0 to 1 over warmup_steps, then cosine from 1 down to
//                   min_factor at total_steps, min_factor after that
//   one_cycle:      Smith & Topin 2019, cosine annealing: from 1/div_factor up to 1 over
//                   the first pct_start of total_steps, then down to
//                   1/(div_factor * final_div_factor) at total_steps
//   plateau:        starts at 1; multiplied by `factor` whenever validation metric
//                   `metric` has not improved (by more than threshold, relative) for
//                   `patience` validations; never below min_factor
// `step` counts optimizer steps from 0. Schedules that react to validation (plateau)
// receive every validation's metrics through observe() and keep a state that the
// checkpoint saves.

#include <torch/arg.h>
#include <torch/optim/optimizer.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>
#include <vector>

#include "core/registry.h"

namespace ecg::train {

class LrScheduler {
 public:
  virtual ~LrScheduler() = default;
  /// Multiplier of the base learning rate at optimizer step `step` (>= 0).
  virtual double factor(int64_t step) const = 0;
  /// Called after each validation with its metrics ("val/loss", ...); default: ignored.
  virtual void observe(const std::map<std::string, double>& /*metrics*/) {}
  /// What observe() changed, for checkpoints; load_state() takes it back.
  virtual nlohmann::json state() const { return nlohmann::json::object(); }
  virtual void load_state(const nlohmann::json& /*state*/) {}
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

struct OneCycleOptions {
  TORCH_ARG(int64_t, total_steps) = 10000;
  TORCH_ARG(double, pct_start) = 0.3;
  TORCH_ARG(double, div_factor) = 25.0;
  TORCH_ARG(double, final_div_factor) = 1e4;
};

struct PlateauOptions {
  TORCH_ARG(std::string, metric) = "val/loss";
  TORCH_ARG(std::string, mode) = "min";  // min | max
  TORCH_ARG(double, factor) = 0.1;
  TORCH_ARG(int64_t, patience) = 3;  // validations without improvement
  TORCH_ARG(double, threshold) = 1e-4;
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

class OneCycleLr : public LrScheduler {
 public:
  explicit OneCycleLr(OneCycleOptions o);
  double factor(int64_t step) const override;

 private:
  OneCycleOptions o_;
};

class PlateauLr : public LrScheduler {
 public:
  explicit PlateauLr(PlateauOptions o);
  double factor(int64_t) const override { return factor_; }
  /// Throws ecg::Error when the metric is not among those given.
  void observe(const std::map<std::string, double>& metrics) override;
  nlohmann::json state() const override;
  void load_state(const nlohmann::json& state) override;

 private:
  PlateauOptions o_;
  double factor_ = 1.0;
  double best_ = 0;
  bool has_best_ = false;
  int64_t bad_ = 0;
};

/// Sets every group's lr to base_lrs[i] * factor. base_lrs has one entry per group.
void apply_lr(torch::optim::Optimizer& optimizer, const std::vector<double>& base_lrs, double factor);

void register_builtin_schedulers(SchedulerRegistry& registry);

}  // namespace ecg::train
