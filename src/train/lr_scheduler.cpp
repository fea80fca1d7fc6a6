#include "train/lr_scheduler.h"

#include <cmath>

namespace ecg::train {

StepLr::StepLr(StepLrOptions o) : o_(std::move(o)) {
  ECG_CHECK(o_.step_size() > 0, "scheduler 'step': step_size must be > 0, got ", o_.step_size());
}

double StepLr::factor(int64_t step) const {
  return std::pow(o_.gamma(), static_cast<double>(std::max<int64_t>(step, 0) / o_.step_size()));
}

WarmupCosineLr::WarmupCosineLr(WarmupCosineOptions o) : o_(std::move(o)) {
  ECG_CHECK(o_.warmup_steps() >= 0 && o_.warmup_steps() < o_.total_steps(),
            "scheduler 'warmup_cosine': need 0 <= ", "warmup_steps < total_steps, got ", o_.warmup_steps(), " and ",
            o_.total_steps());
  ECG_CHECK(o_.min_factor() >= 0 && o_.min_factor() <= 1,
            "scheduler 'warmup_cosine': min_factor must be in [0, 1], got ", o_.min_factor());
}

double WarmupCosineLr::factor(int64_t step) const {
  if (step < o_.warmup_steps()) return static_cast<double>(step + 1) / static_cast<double>(o_.warmup_steps() + 1);
  if (step >= o_.total_steps()) return o_.min_factor();
  const double progress =
      static_cast<double>(step - o_.warmup_steps()) / static_cast<double>(o_.total_steps() - o_.warmup_steps());
  return o_.min_factor() + (1.0 - o_.min_factor()) * 0.5 * (1.0 + std::cos(M_PI * progress));
}

void apply_lr(torch::optim::Optimizer& optimizer, const std::vector<double>& base_lrs, double factor) {
  auto& groups = optimizer.param_groups();
  ECG_CHECK(groups.size() == base_lrs.size(), "apply_lr: ", groups.size(), " parameter groups but ", base_lrs.size(),
            " base learning rates");
  for (size_t i = 0; i < groups.size(); ++i) groups[i].options().set_lr(base_lrs[i] * factor);
}

void register_builtin_schedulers(SchedulerRegistry& registry) {
  config::OptionsBinder<StepLrOptions> step("scheduler 'step'");
  ECG_BIND(step, step_size, "steps between decays").min_value = 1;
  ECG_BIND(step, gamma, "decay factor").min_value = 0;
  config::OptionsBinder<WarmupCosineOptions> cosine("scheduler 'warmup_cosine'");
  ECG_BIND(cosine, warmup_steps, "linear warm-up steps").min_value = 0;
  ECG_BIND(cosine, total_steps, "step at which the cosine reaches min_factor").min_value = 1;
  auto& mf = ECG_BIND(cosine, min_factor, "final lr as a fraction of the base lr");
  mf.min_value = 0;
  mf.max_value = 1;

  registry.add("constant", "constant learning rate", std::make_shared<config::Schema>("scheduler 'constant'"),
               [](const config::ConfigNode&, const std::string&) { return std::make_shared<ConstantLr>(); });
  registry.add("step", "multiply the lr by gamma every step_size steps", step,
               [](const StepLrOptions& o) { return std::make_shared<StepLr>(o); });
  registry.add("warmup_cosine", "linear warm-up, then cosine decay to min_factor", cosine,
               [](const WarmupCosineOptions& o) { return std::make_shared<WarmupCosineLr>(o); });
}

}  // namespace ecg::train
