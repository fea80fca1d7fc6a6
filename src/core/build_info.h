#pragma once
// What this binary is and what it runs on, for `ecgtorch --version`, env.json and
// checkpoints.

#include <cstdint>
#include <string>

namespace ecg {

struct BuildInfo {
  std::string version;        // ecgtorch, e.g. "0.1.0"
  std::string git_sha;        // of the source tree at build time; "unknown" outside git
  std::string torch_version;  // LibTorch headers we were built against
  std::string opencv_version;
  std::string compiler;
  int64_t cuda_devices = 0;    // probed at call time
  bool mps_available = false;  // probed at call time
};

BuildInfo build_info();

/// The text of `ecgtorch --version`, one fact per line.
std::string format_version(const BuildInfo& info);

}  // namespace ecg
