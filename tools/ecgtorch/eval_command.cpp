// `ecgtorch eval --checkpoint CKPT [overrides]`: validates a checkpoint with its own
// config (overrides applied, e.g. val_data.seed=7 trainer.val_batches=20) and prints
// the metrics as JSON on stdout.

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
  };
  auto a = std::make_shared<Args>();
  sub->add_option("--checkpoint", a->checkpoint, "checkpoint file (.pt)")->required();
  sub->add_option("overrides", a->overrides, "config overrides: val_data.seed=7 trainer.val_batches=20 ...");
  return Command{sub, [a]() {
                   const auto regs = train::make_builtin_registries();
                   const nlohmann::json r = train::evaluate(a->checkpoint, a->overrides, *regs);
                   std::cout << r.dump(2) << "\n";
                   return 0;
                 }};
}

}  // namespace ecg::tools
