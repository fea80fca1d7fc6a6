// `ecgtorch list [KIND] [--verbose] [--json]`: the registered components of each kind.

#include <iostream>

#include "commands.h"
#include "core/strings.h"
#include "models/layer_table.h"
#include "models/register_builtin_models.h"
#include "train/registries.h"

namespace ecg::tools {

Command add_list_command(CLI::App& app) {
  CLI::App* sub =
      app.add_subcommand("list", "List registered models, losses, datasets, optimizers, schedulers, metrics");
  struct Args {
    std::string kind;
    bool verbose = false;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  sub->add_option("kind", a->kind, "models | losses | datasets | optimizers | schedulers | metrics (default: all)");
  sub->add_flag("--verbose,-v", a->verbose,
                "one line per option, with its type and help; the layer table of each model");
  sub->add_flag("--json", a->json, "print JSON");
  return Command{sub, [a]() {
                   const auto regs = train::make_builtin_registries();
                   // Models show their parameter count for the default config.
                   // With --verbose they also print their layer tables.
                   auto model_infos = regs->models.infos();
                   std::string layer_tables;
                   for (auto& info : model_infos) {
                     config::ConfigNode spec = config::ConfigNode::map();
                     spec.set("name", config::ConfigNode::scalar(info.name));
                     const auto model = regs->models.create(spec, "model");
                     info.summary += str(" [", models::parameter_count(*model), " params]");
                     if (a->verbose) layer_tables += str("\nlayers of ", info.name, ":\n", models::layer_table(*model));
                   }
                   const std::vector<std::pair<std::string, std::vector<ComponentInfo>>> kinds = {
                       {"models", model_infos},
                       {"losses", regs->losses.infos()},
                       {"datasets", regs->datasets.infos()},
                       {"optimizers", regs->optimizers.infos()},
                       {"schedulers", regs->schedulers.infos()},
                       {"metrics", regs->metrics.infos()}};
                   std::vector<std::string> names;
                   for (const auto& k : kinds) names.push_back(k.first);
                   std::string wanted = a->kind;
                   if (!wanted.empty() && wanted.back() != 's') wanted += 's';  // "model" -> "models"
                   if (!a->kind.empty() && std::find(names.begin(), names.end(), wanted) == names.end()) {
                     throw UsageError(str("list: unknown kind '", a->kind, "'", did_you_mean(a->kind, names),
                                          " (expected one of ", join(names, ", "), ")"));
                   }
                   nlohmann::json j = nlohmann::json::object();
                   bool first = true;
                   for (const auto& k : kinds) {
                     if (!a->kind.empty() && k.first != wanted) continue;
                     if (a->json) {
                       j[k.first] = components_json(k.second);
                     } else {
                       std::cout << (first ? "" : "\n") << format_components(k.first, k.second, a->verbose);
                       if (k.first == "models") std::cout << layer_tables;
                     }
                     first = false;
                   }
                   if (a->json) std::cout << j.dump(2) << "\n";
                   return 0;
                 }};
}

}  // namespace ecg::tools
