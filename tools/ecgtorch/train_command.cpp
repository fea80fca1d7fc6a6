// `ecgtorch train --config FILE [overrides]`, `--resume RUN_DIR`, `--nproc N`: trains a
// job (train/trainer.h). Exit status 0 when the run completes (or stops early), 130 /
// 143 when SIGINT / SIGTERM stopped it after saving a checkpoint.

#include <csignal>
#include <iostream>

#include "commands.h"
#include "config_args.h"
#include "core/yaml_io.h"
#include "train/launcher.h"
#include "train/registries.h"
#include "train/trainer.h"

namespace fs = std::filesystem;

namespace ecg::tools {

Command add_train_command(CLI::App& app, std::vector<std::string> argv) {
  CLI::App* sub = app.add_subcommand("train", "Train a model from a job config (resume, multi-process)");
  auto c = add_config_args(sub, /*config_required=*/false);
  auto resume = std::make_shared<std::string>();
  auto nproc = std::make_shared<int64_t>(1);
  sub->add_option("--resume", *resume, "continue the run in this directory from its newest checkpoint");
  sub->add_option("--nproc", *nproc, "processes on this machine (data-parallel over Gloo / NCCL)")
      ->check(CLI::Range(int64_t{1}, int64_t{1024}));
  return Command{sub, [c, resume, nproc, argv]() {
                   if (c->file.empty() == resume->empty()) {
                     throw UsageError("train: give exactly one of --config FILE and --resume RUN_DIR");
                   }
                   if (*nproc > 1 && std::getenv("WORLD_SIZE") == nullptr) {
                     std::vector<std::string> child;
                     for (size_t i = 0; i < argv.size(); ++i) {
                       if (argv[i] == "--nproc") {
                         ++i;
                       } else if (argv[i].rfind("--nproc=", 0) != 0) {
                         child.push_back(argv[i]);
                       }
                     }
                     return train::launch_local(child, *nproc);
                   }
                   const auto regs = train::make_builtin_registries();
                   const config::Schema schema = train::job_schema(*regs);
                   ConfigArgs ca = *c;
                   if (!resume->empty()) ca.file = (fs::path(*resume) / "config.yaml").string();
                   if (!resume->empty() && !fs::is_regular_file(ca.file)) {
                     throw Error(str(*resume, ": not a run directory (no config.yaml)"));
                   }
                   train::TrainRequest req;
                   req.config = config::load_config(make_config_request(ca), &schema);
                   if (c->print_config) {
                     std::cout << config::to_yaml(req.config);
                     return 0;
                   }
                   if (!resume->empty()) req.resume_dir = fs::path(*resume);
                   req.argv = argv;
                   train::StopSignal stop;
                   const train::TrainResult r = train::train(req, *regs, &stop);
                   if (!r.run_dir.empty()) {
                     std::cout << "run:             " << r.run_dir.string() << "\n";
                     if (!r.best_checkpoint.empty()) {
                       std::cout << "best checkpoint: " << r.best_checkpoint.string() << " (" << r.best_metric << " "
                                 << r.best_value << ")\n";
                     }
                     if (!r.last_checkpoint.empty()) {
                       std::cout << "last checkpoint: " << r.last_checkpoint.string() << "\n";
                     }
                     if (fs::is_directory(r.run_dir / "plots")) {
                       std::cout << "plots:           " << (r.run_dir / "plots").string() << "\n";
                     }
                     std::cout << "metrics:         " << (r.run_dir / "metrics.csv").string() << "\n";
                     if (r.stop_signal != 0) {
                       std::cout << "stopped by " << train::StopSignal::name(r.stop_signal)
                                 << "; continue with: ecgtorch train --resume " << r.run_dir.string() << "\n";
                     }
                   }
                   return r.stop_signal != 0 ? 128 + r.stop_signal : 0;
                 }};
}

}  // namespace ecg::tools
