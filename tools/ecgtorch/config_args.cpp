#include "config_args.h"

#include <unistd.h>

#include <cstdlib>

#include "core/config_paths.h"
#include "core/strings.h"

namespace fs = std::filesystem;

namespace ecg::tools {

std::shared_ptr<ConfigArgs> add_config_args(CLI::App* sub, bool config_required) {
  auto a = std::make_shared<ConfigArgs>();
  sub->add_option("--config,-c", a->file, "job config (YAML)")->required(config_required);
  sub->add_option("--config-dir", a->config_dirs, "extra directory searched for config groups (repeatable)")
      ->allow_extra_args(false);  // one value per flag: the overrides after it stay overrides
  sub->add_flag("--print-config", a->print_config, "print the fully resolved config and exit");
  sub->add_option("overrides", a->overrides, "overrides: a.b=3  +a.new=x  ~a.b  model=vit_detr");
  return a;
}

fs::path builtin_config_dir() {
  return config::builtin_config_dir();
}

config::ConfigRequest make_config_request(const ConfigArgs& args) {
  config::ConfigRequest r;
  r.file = args.file;
  r.overrides = args.overrides;
  for (const auto& d : args.config_dirs) r.search_path.emplace_back(d);
  if (const char* env = std::getenv("ECGTORCH_CONFIG_PATH")) {
    for (const auto& d : split(env, ':')) {
      if (!d.empty()) r.search_path.emplace_back(d);
    }
  }
  r.search_path.push_back(builtin_config_dir());
  return r;
}

}  // namespace ecg::tools
