#include "train/toy_task.h"

#include <chrono>
#include <cmath>
#include <random>
#include <thread>

#include "core/build_info.h"
#include "core/run_dir.h"
#include "core/run_options.h"
#include "core/strings.h"
#include "train/metrics_log.h"
#include "train/trainer_options.h"

namespace ecg::train {

config::OptionsBinder<ToyOptions> toy_options_binder() {
  config::OptionsBinder<ToyOptions> b("toy");
  ECG_BIND(b, x, "first coordinate (optimum 0.7)");
  ECG_BIND(b, y, "second coordinate (optimum -0.3)");
  ECG_BIND(b, noise, "standard deviation of the noise added to each validation").min_value = 0;
  ECG_BIND(b, step_ms, "milliseconds each step sleeps (to look like real work)").min_value = 0;
  return b;
}

double toy_quality(double x, double y, double lr) {
  const double l = std::log10(lr) + 2.0;
  return 1.0 - (x - 0.7) * (x - 0.7) - (y + 0.3) * (y + 0.3) - 0.25 * l * l;
}

bool is_toy_job(const config::ConfigNode& config) {
  const auto* t = config.find("trainer");
  if (t == nullptr || !t->is_map()) return false;
  const auto* task = t->find("task");
  return task != nullptr && task->is_scalar() && task->text() == "toy";
}

TrainResult train_toy(const TrainRequest& request, const StopSignal* stop) {
  const auto& cfg = request.config;
  const RunOptions run = run_options_binder().read(cfg, "");
  const TrainerOptions t = trainer_options_binder().read(cfg.at("trainer"), "trainer");
  const auto* tsec = cfg.find("toy");
  const ToyOptions o = tsec != nullptr && !tsec->is_null()
                           ? toy_options_binder().read(*tsec, "toy")
                           : toy_options_binder().parse(config::ConfigNode::map(), "toy");
  double lr = 1e-3;
  if (const auto* opt = cfg.find("optimizer"); opt != nullptr && opt->is_map() && opt->has("lr")) {
    const auto v = parse_double(opt->at("lr").text());
    ECG_CHECK(v && *v > 0, "optimizer.lr: expected a positive number, got '", opt->at("lr").text(), "'");
    lr = *v;
  }
  const double q = toy_quality(o.x(), o.y(), lr);

  TrainResult result;
  std::filesystem::path run_dir;
  int64_t step = 0;
  if (request.resume_dir) {
    run_dir = *request.resume_dir;
    for (const auto& row : read_metrics_jsonl(run_dir / "metrics.jsonl"))
      step = std::max(step, row.value("step", int64_t{0}));
  } else {
    RunDir rd = RunDir::create(run, std::chrono::system_clock::now());
    run_dir = rd.path();
    rd.write_config(cfg);
    rd.write_command(request.argv);
  }
  MetricsLog log(run_dir, request.resume_dir ? step : -1);
  result.run_dir = run_dir;
  result.best_metric = "val/toy";
  const bool maximize = t.best_mode() != "min";
  bool has_best = false;
  const auto t0 = std::chrono::steady_clock::now();
  while (step < t.max_steps()) {
    if (stop != nullptr && stop->requested() != 0) {
      result.stop_signal = stop->requested();
      result.stop_reason = StopSignal::name(result.stop_signal);
      break;
    }
    if (o.step_ms() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(o.step_ms()));
    ++step;
    if (step % t.val_every() == 0 || step == t.max_steps()) {
      std::mt19937_64 rng(static_cast<uint64_t>(run.seed()) * 1000003u + static_cast<uint64_t>(step));
      std::normal_distribution<double> gauss(0.0, 1.0);
      const double v = q * (1.0 - std::exp(-4.0 * static_cast<double>(step) / static_cast<double>(t.max_steps()))) +
                       o.noise() * gauss(rng);
      const double time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      log.append({{"step", step}, {"split", "train"}, {"time_s", time_s}, {"loss", 1.0 - v}, {"lr", lr}});
      log.append({{"step", step}, {"split", "val"}, {"time_s", time_s}, {"val/toy", v}});
      log.flush();
      result.last_validation = {{"val/toy", v}};
      if (!has_best || (maximize ? v > result.best_value : v < result.best_value)) {
        result.best_value = v;
        has_best = true;
      }
    }
  }
  result.steps = step;
  if (result.stop_reason.empty()) result.stop_reason = "max_steps";
  return result;
}

}  // namespace ecg::train
