#pragma once
// Subcommands of the ecgtorch CLI. Each add_*_command registers its options on the app
// and returns the action to run when that subcommand was chosen. Actions return the
// exit status; they throw ecg::Error (exit 1) or UsageError (exit 2).

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "core/error.h"

namespace ecg::tools {

/// Bad command-line usage: exit status 2.
class UsageError : public Error {
 public:
  using Error::Error;
};

struct Command {
  CLI::App* app;
  std::function<int()> run;
};

Command add_list_command(CLI::App& app);
Command add_config_command(CLI::App& app);
Command add_score_command(CLI::App& app);
Command add_data_command(CLI::App& app);
/// download / manifest / verify / diff / check-pairs under `data`; the action returns -1
/// when none of them was chosen.
std::function<int()> add_dataset_subcommands(CLI::App* data);
Command add_synth_command(CLI::App& app);
/// `argv` is the whole command line (recorded in the run, and reused by --nproc).
Command add_train_command(CLI::App& app, std::vector<std::string> argv);
Command add_eval_command(CLI::App& app);
Command add_sweep_command(CLI::App& app);
Command add_export_command(CLI::App& app);
Command add_predict_command(CLI::App& app);
Command add_digitize_command(CLI::App& app);
Command add_detect_command(CLI::App& app);

}  // namespace ecg::tools
