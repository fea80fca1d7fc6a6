#include "config_args.h"

#include <unistd.h>

#include <cstdlib>

#include "core/strings.h"
#include "ecgtorch_source_paths.h"  // generated: ECGTORCH_SOURCE_CONFIG_DIR

namespace fs = std::filesystem;

namespace ecg::tools {

std::shared_ptr<ConfigArgs> add_config_args(CLI::App* sub) {
  auto a = std::make_shared<ConfigArgs>();
  sub->add_option("--config,-c", a->file, "job config (YAML)")->required();
  sub->add_option("--config-dir", a->config_dirs, "extra directory searched for config groups (repeatable)");
  sub->add_flag("--print-config", a->print_config, "print the fully resolved config and exit");
  sub->add_option("overrides", a->overrides, "overrides: a.b=3  +a.new=x  ~a.b  model=vit_detr");
  return a;
}

fs::path builtin_config_dir() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n > 0) {
    const fs::path installed = fs::path(std::string(buf, static_cast<size_t>(n))).parent_path().parent_path() /
                               "share" / "ecgtorch" / "configs";
    std::error_code ec;
    if (fs::is_directory(installed, ec)) return installed;
  }
  return ECGTORCH_SOURCE_CONFIG_DIR;
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
