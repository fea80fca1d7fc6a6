#pragma once
// Where the configs shipped with ecgtorch live (presets, recipes, config groups).

#include <filesystem>

namespace ecg::config {

/// <exe>/../share/ecgtorch/configs when the running program is installed, else the
/// source tree's configs/ (running from a build tree).
std::filesystem::path builtin_config_dir();

}  // namespace ecg::config
