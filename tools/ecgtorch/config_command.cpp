// `ecgtorch config --config FILE [overrides]`: composes, overrides, resolves and checks a
// job config against the registered components; prints it with --print-config.

#include <iostream>

#include "commands.h"
#include "config_args.h"
#include "core/yaml_io.h"
#include "train/registries.h"

namespace ecg::tools {

Command add_config_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("config", "Check a job config (composition, overrides, interpolation, schema)");
  auto args = add_config_args(sub);
  return Command{sub, [args]() {
                   const auto regs = train::make_builtin_registries();
                   const config::Schema schema = train::job_schema(*regs);
                   const config::ConfigNode cfg = config::load_config(make_config_request(*args), &schema);
                   if (args->print_config) {
                     std::cout << config::to_yaml(cfg);
                   } else {
                     std::cout << "OK " << args->file << " (" << cfg.size() << " top-level keys)\n";
                   }
                   return 0;
                 }};
}

}  // namespace ecg::tools
