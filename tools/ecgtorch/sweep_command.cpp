// `ecgtorch sweep`: hyperparameter search over `ecgtorch train` trials (src/sweep/).
//   ecgtorch sweep --config FILE (--space SPACE.yaml | --param PATH=DIST ...) [options] [OVERRIDE...]
//   ecgtorch sweep --resume --dir DIR      continue after a crash or Ctrl-C
//   ecgtorch sweep --worker --dir DIR      another process (machine) joins the sweep
//   ecgtorch sweep --status DIR            the ranked table
// Exit status: 0 when the sweep ran to its end (failed trials are listed, not fatal;
// 1 when every trial failed), 130 / 143 after SIGINT / SIGTERM (resume with --resume).

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <iostream>

#include "commands.h"
#include "config_args.h"
#include "core/strings.h"
#include "sweep/sweep_runner.h"
#include "train/registries.h"
#include "train/trainer_options.h"

namespace fs = std::filesystem;

namespace ecg::tools {
namespace {

struct SweepArgs {
  std::string space, sampler = "tpe", metric, mode, prune = "none", dir, status;
  std::vector<std::string> params;
  int64_t trials = 0, parallel = 1, grid_points = 5, asha_min_steps = 0, seed = 0;
  double asha_eta = 3;
  bool dry_run = false, resume = false, worker = false, quiet = false;
};

std::string self_exe() {
  return fs::canonical("/proc/self/exe").string();
}

std::string default_dir(const std::string& config) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return (fs::path("sweeps") / (fs::path(config).stem().string() + "-" + buf)).string();
}

int print_status(const fs::path& dir) {
  const sweep::SweepState s = sweep::read_state(dir);
  std::cout << sweep::results_markdown(s);
  int64_t counts[5] = {0, 0, 0, 0, 0};
  for (const auto& t : s.trials) {
    counts[t.status == "completed" ? 0
           : t.status == "pruned"  ? 1
           : t.status == "failed"  ? 2
           : t.status == "running" ? 3
                                   : 4]++;
  }
  std::cout << s.trials.size() << "/" << s.spec.trials << " trials: " << counts[0] << " completed, " << counts[1]
            << " pruned, " << counts[2] << " failed, " << counts[3] << " running, " << counts[4] << " pending ("
            << s.spec.sampler << ", " << s.spec.metric << " " << s.spec.mode << ")\n";
  for (const auto& t : s.trials) {
    if (t.status == "failed" && !t.log_tail.empty())
      std::cout << "trial " << t.id << " failed: " << t.log_tail.back() << "\n";
  }
  return 0;
}

sweep::SweepSpec make_spec(const ConfigArgs& ca, const SweepArgs& a) {
  sweep::SweepSpec spec;
  spec.config = fs::absolute(ca.file).string();
  for (const auto& d : ca.config_dirs) spec.config_dirs.push_back(fs::absolute(d).string());
  spec.overrides = ca.overrides;
  if (!a.space.empty()) spec.space = sweep::parse_space_file(a.space);
  for (size_t i = 0; i < a.params.size(); ++i) spec.space.add(sweep::parse_param(a.params[i], str("--param ", i + 1)));
  if (spec.space.params.empty()) throw UsageError("sweep: give a search space with --space FILE or --param PATH=DIST");
  spec.sampler = a.sampler;
  spec.sampler_options.seed = static_cast<uint64_t>(a.seed);
  spec.sampler_options.grid_points = a.grid_points;
  spec.prune = a.prune == "asha";

  // The config, with every parameter at its first grid value: bad paths and values fail
  // here, before any trial starts.
  const auto regs = train::make_builtin_registries();
  const config::Schema schema = train::job_schema(*regs);
  ConfigArgs probe = ca;
  for (const auto& p : spec.space.params) {
    probe.overrides.push_back(p.path + "=" + p.format(p.to_value(sweep::grid_values(p, 2).front())));
  }
  const config::ConfigNode cfg = config::load_config(make_config_request(probe), &schema);
  const auto* tsec = cfg.find("trainer");
  const train::TrainerOptions t = tsec != nullptr && !tsec->is_null()
                                      ? train::trainer_options_binder().read(*tsec, "trainer")
                                      : train::trainer_options_binder().parse(config::ConfigNode::map(), "trainer");
  spec.metric = a.metric.empty() ? t.best_metric() : a.metric;
  spec.mode = a.mode.empty() ? t.best_mode() : a.mode;
  spec.asha.min_steps = a.asha_min_steps > 0 ? a.asha_min_steps : t.val_every();
  spec.asha.eta = a.asha_eta;
  const auto sampler = sweep::make_sampler(spec.sampler, spec.space, spec.sampler_options);
  if (spec.sampler == "grid") {
    spec.trials = a.trials > 0 ? std::min(a.trials, sampler->size()) : sampler->size();
  } else {
    spec.trials = a.trials > 0 ? a.trials : 20;
  }
  return spec;
}

}  // namespace

Command add_sweep_command(CLI::App& app) {
  CLI::App* sub =
      app.add_subcommand("sweep", "Hyperparameter search: grid, random or TPE trials of `train`, ASHA pruning");
  auto c = add_config_args(sub, /*config_required=*/false);
  auto a = std::make_shared<SweepArgs>();
  sub->add_option("--space", a->space, "YAML: one 'path: distribution' per line");
  sub->add_option("--param", a->params,
                  "PATH=DIST: uniform(a,b) loguniform(a,b) int(a,b[,log]) choice(v1,v2,...); repeatable")
      ->allow_extra_args(false);
  sub->add_option("--sampler", a->sampler, "grid | random | tpe")->check(CLI::IsMember({"grid", "random", "tpe"}));
  sub->add_option("--trials", a->trials, "trials in all (default 20; grid: the whole grid)")
      ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  sub->add_option("--parallel", a->parallel, "trials at once")->check(CLI::Range(int64_t{1}, int64_t{256}));
  sub->add_option("--metric", a->metric, "validation metric to optimise (default: trainer.best_metric)");
  sub->add_option("--mode", a->mode, "max | min (default: trainer.best_mode)")->check(CLI::IsMember({"min", "max"}));
  sub->add_option("--prune", a->prune, "asha | none")->check(CLI::IsMember({"asha", "none"}));
  sub->add_option("--asha-min-steps", a->asha_min_steps, "ASHA's first rung (default: trainer.val_every)");
  sub->add_option("--asha-eta", a->asha_eta, "ASHA's reduction factor")->check(CLI::Range(1.5, 100.0));
  sub->add_option("--grid-points", a->grid_points, "grid: points per real-valued parameter")
      ->check(CLI::Range(int64_t{2}, int64_t{1000}));
  sub->add_option("--seed", a->seed, "sampler seed");
  sub->add_option("--dir", a->dir, "sweep directory (default: sweeps/<config>-<time>)");
  sub->add_flag("--dry-run", a->dry_run, "print one train command per trial and exit (grid, random)");
  sub->add_flag("--resume", a->resume, "continue the sweep in --dir");
  sub->add_flag("--worker", a->worker, "join the sweep in --dir (several processes or machines, file locks)");
  sub->add_option("--status", a->status, "print the ranked table of a sweep directory");
  sub->add_flag("--quiet,-q", a->quiet, "no per-trial lines");
  return Command{sub, [c, a]() {
                   if (!a->status.empty()) return print_status(a->status);
                   const bool continuing = a->resume || a->worker;
                   if (continuing && a->dir.empty()) throw UsageError("sweep: --resume and --worker need --dir DIR");
                   if (continuing && !c->file.empty()) {
                     throw UsageError("sweep: --resume / --worker take the config from DIR/sweep.json; drop --config");
                   }
                   if (!continuing && c->file.empty()) throw UsageError("sweep: --config FILE is required");
                   fs::path dir = a->dir;
                   if (!continuing) {
                     const sweep::SweepSpec spec = make_spec(*c, *a);
                     if (a->dry_run) {
                       const std::string d = dir.empty() ? default_dir(c->file) : dir.string();
                       for (const auto& t : sweep::plan_trials(spec)) {
                         std::string line;
                         for (const auto& arg : sweep::trial_command(spec, t, d, "ecgtorch")) {
                           line += (line.empty() ? "" : " ") + shell_quote(arg);
                         }
                         std::cout << line << "\n";
                       }
                       return 0;
                     }
                     if (dir.empty()) dir = default_dir(c->file);
                     sweep::create_sweep(dir, spec);
                     std::cerr << "sweep: " << dir.string() << " (" << spec.trials << " trials, " << spec.sampler
                               << ", " << spec.metric << " " << spec.mode << (spec.prune ? ", ASHA" : "") << ")\n";
                   }
                   train::StopSignal stop;
                   sweep::RunnerOptions o;
                   o.dir = dir;
                   o.program = self_exe();
                   o.parallel = a->parallel;
                   o.worker = a->worker;
                   o.stop = &stop;
                   if (!a->quiet) o.info = [](const std::string& m) { std::cerr << "sweep: " << m << "\n"; };
                   const sweep::RunnerOutcome r = sweep::run_sweep(o);
                   if (r.stop_signal != 0) {
                     std::cerr << "sweep: stopped by " << train::StopSignal::name(r.stop_signal)
                               << "; continue with: ecgtorch sweep --resume --dir " << dir.string() << "\n";
                     return 128 + r.stop_signal;
                   }
                   print_status(dir);
                   std::cout << "results: " << (dir / "results.md").string() << ", " << (dir / "results.csv").string()
                             << "\n";
                   if (fs::exists(dir / "best_config.yaml"))
                     std::cout << "best config: " << (dir / "best_config.yaml").string() << "\n";
                   return r.completed == 0 && r.pruned == 0 && r.failed > 0 ? 1 : 0;
                 }};
}

}  // namespace ecg::tools
