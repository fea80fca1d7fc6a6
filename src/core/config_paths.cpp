#include "core/config_paths.h"

#include <unistd.h>

#include <string>

#include "ecgtorch_source_paths.h"  // generated: ECGTORCH_SOURCE_CONFIG_DIR

namespace fs = std::filesystem;

namespace ecg::config {

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

}  // namespace ecg::config
