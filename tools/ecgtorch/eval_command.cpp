// `ecgtorch eval --checkpoint CKPT [overrides]`: validates a checkpoint with its own
// config (overrides applied, e.g. val_data.seed=7 trainer.val_batches=20) and prints
// the metrics as JSON on stdout. `--per-example` adds each example's metrics (named by the
// dataset: a record or image stem), `--plots DIR` the task's plots of the first examples.

#include <iostream>

#include "commands.h"
#include "train/registries.h"
#include "train/trainer.h"

namespace ecg::tools {

Command add_eval_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("eval", "Evaluate a checkpoint on its validation data; prints JSON");
  struct Args {
    std::string checkpoint;
    std::vector<std::string> overrides;
    train::EvalOptions options;
    std::string plots;
  };
  auto a = std::make_shared<Args>();
  sub->add_option("--checkpoint", a->checkpoint, "checkpoint file (.pt)")->required();
  sub->add_option("--plots", a->plots, "write the plots of the first examples here (<example id>.png)");
  sub->add_option("--max-plots", a->options.max_plots, "examples plotted with --plots")
      ->check(CLI::Range(int64_t{1}, int64_t{100000}))
      ->capture_default_str();
  sub->add_flag("--per-example", a->options.per_example, "also print each example's metrics");
  sub->add_option("overrides", a->overrides, "config overrides: val_data.seed=7 trainer.val_batches=20 ...");
  return Command{sub, [a]() {
                   const auto regs = train::make_builtin_registries();
                   const nlohmann::json r = train::evaluate(a->checkpoint, a->overrides, *regs, [&] {
                     train::EvalOptions o = a->options;
                     o.plots_dir = a->plots;
                     return o;
                   }());
                   std::cout << r.dump(2) << "\n";
                   return 0;
                 }};
}

}  // namespace ecg::tools
