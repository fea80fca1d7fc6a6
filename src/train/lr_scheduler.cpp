#include "train/lr_scheduler.h"

#include <algorithm>
#include <cmath>

#include "core/strings.h"

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

OneCycleLr::OneCycleLr(OneCycleOptions o) : o_(std::move(o)) {
  ECG_CHECK(o_.total_steps() > 1, "scheduler 'one_cycle': total_steps must be > 1, got ", o_.total_steps());
  ECG_CHECK(o_.pct_start() > 0 && o_.pct_start() < 1, "scheduler 'one_cycle': pct_start must be in (0, 1), got ",
            o_.pct_start());
  ECG_CHECK(o_.div_factor() >= 1 && o_.final_div_factor() >= 1,
            "scheduler 'one_cycle': div_factor and final_div_factor must be >= 1");
}

double OneCycleLr::factor(int64_t step) const {
  // As torch.optim.lr_scheduler.OneCycleLR (anneal_strategy cos, three_phase false).
  const double start = 1.0 / o_.div_factor();
  const double end = start / o_.final_div_factor();
  const double up_end = o_.pct_start() * static_cast<double>(o_.total_steps()) - 1.0;
  const double last = static_cast<double>(o_.total_steps() - 1);
  const double s = std::min(static_cast<double>(std::max<int64_t>(step, 0)), last);
  auto cos_anneal = [](double from, double to, double pct) {
    return to + (from - to) / 2.0 * (std::cos(M_PI * pct) + 1);
  };
  if (s <= up_end) return cos_anneal(start, 1.0, up_end > 0 ? s / up_end : 1.0);
  return cos_anneal(1.0, end, (s - up_end) / (last - up_end));
}

PlateauLr::PlateauLr(PlateauOptions o) : o_(std::move(o)) {
  ECG_CHECK(o_.factor() > 0 && o_.factor() < 1, "scheduler 'plateau': factor must be in (0, 1), got ", o_.factor());
}

void PlateauLr::observe(const std::map<std::string, double>& metrics) {
  const auto it = metrics.find(o_.metric());
  if (it == metrics.end()) {
    std::string known;
    for (const auto& kv : metrics) known += (known.empty() ? "" : ", ") + kv.first;
    throw Error(
        str("scheduler 'plateau': metric '", o_.metric(), "' is not computed by validation (known: ", known, ")"));
  }
  const double v = it->second;
  const bool maximize = o_.mode() == "max";
  const double margin = std::abs(best_) * o_.threshold();
  const bool better = !has_best_ || (maximize ? v > best_ + margin : v < best_ - margin);
  if (better) {
    best_ = v;
    has_best_ = true;
    bad_ = 0;
    return;
  }
  if (++bad_ > o_.patience()) {
    factor_ = std::max(factor_ * o_.factor(), o_.min_factor());
    bad_ = 0;
  }
}

nlohmann::json PlateauLr::state() const {
  return {{"factor", factor_}, {"best", best_}, {"has_best", has_best_}, {"bad", bad_}};
}

void PlateauLr::load_state(const nlohmann::json& s) {
  factor_ = s.at("factor").get<double>();
  best_ = s.at("best").get<double>();
  has_best_ = s.at("has_best").get<bool>();
  bad_ = s.at("bad").get<int64_t>();
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

  config::OptionsBinder<OneCycleOptions> one("scheduler 'one_cycle'");
  ECG_BIND(one, total_steps, "length of the cycle in optimizer steps").min_value = 2;
  auto& pct = ECG_BIND(one, pct_start, "fraction of the cycle spent increasing the lr");
  pct.min_value = 0;
  pct.max_value = 1;
  ECG_BIND(one, div_factor, "initial lr = base lr / div_factor").min_value = 1;
  ECG_BIND(one, final_div_factor, "final lr = initial lr / final_div_factor").min_value = 1;
  config::OptionsBinder<PlateauOptions> plateau("scheduler 'plateau'");
  ECG_BIND(plateau, metric, "validation metric watched, e.g. val/loss or val/snr_kaggle_db");
  ECG_BIND(plateau, mode, "min: lower is better; max: higher is better").choices = {"min", "max"};
  auto& pf = ECG_BIND(plateau, factor, "multiplier applied on a plateau");
  pf.min_value = 0;
  pf.max_value = 1;
  ECG_BIND(plateau, patience, "validations without improvement before a reduction").min_value = 0;
  ECG_BIND(plateau, threshold, "relative improvement that counts").min_value = 0;
  auto& pm = ECG_BIND(plateau, min_factor, "lowest multiplier");
  pm.min_value = 0;
  pm.max_value = 1;

  registry.add("constant", "constant learning rate", std::make_shared<config::Schema>("scheduler 'constant'"),
               [](const config::ConfigNode&, const std::string&) { return std::make_shared<ConstantLr>(); });
  registry.add("step", "multiply the lr by gamma every step_size steps", step,
               [](const StepLrOptions& o) { return std::make_shared<StepLr>(o); });
  registry.add("warmup_cosine", "linear warm-up, then cosine decay to min_factor", cosine,
               [](const WarmupCosineOptions& o) { return std::make_shared<WarmupCosineLr>(o); });
  registry.add("one_cycle", "one-cycle policy: cosine up to the base lr, then down (Smith & Topin 2019)", one,
               [](const OneCycleOptions& o) { return std::make_shared<OneCycleLr>(o); });
  registry.add("plateau", "reduce the lr when a validation metric stops improving", plateau,
               [](const PlateauOptions& o) { return std::make_shared<PlateauLr>(o); });
}

}  // namespace ecg::train
