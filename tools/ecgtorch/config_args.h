#pragma once
// The config options shared by every subcommand that reads a job config:
//   --config FILE  [--config-dir DIR]...  [--print-config]  [OVERRIDE...]
// Group files are searched in: the config's directory, each --config-dir, each entry of
// $ECGTORCH_CONFIG_PATH (':'-separated), then the built-in configs.

#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/config_loader.h"

namespace ecg::tools {

struct ConfigArgs {
  std::string file;
  std::vector<std::string> config_dirs;
  std::vector<std::string> overrides;
  bool print_config = false;
};

/// Registers the options above on `sub`; the returned object is filled by parsing.
/// `config_required` false lets a subcommand take the config from elsewhere (train --resume).
std::shared_ptr<ConfigArgs> add_config_args(CLI::App* sub, bool config_required = true);

/// The request for config::load_config, with the search path described above.
config::ConfigRequest make_config_request(const ConfigArgs& args);

/// The configs shipped with ecgtorch: <exe>/../share/ecgtorch/configs when installed,
/// else the source tree's configs/.
std::filesystem::path builtin_config_dir();

}  // namespace ecg::tools
