#include "core/build_info.h"

#include <torch/version.h>
#include <opencv2/core/version.hpp>

#include "core/device.h"
#include "core/error.h"
#include "ecgtorch_git_sha.h"  // generated: ECGTORCH_GIT_SHA

#ifndef ECGTORCH_VERSION
#error "ECGTORCH_VERSION must be defined by the build"
#endif

namespace ecg {

BuildInfo build_info() {
  BuildInfo b;
  b.version = ECGTORCH_VERSION;
  b.git_sha = ECGTORCH_GIT_SHA;
  b.torch_version = TORCH_VERSION;
  b.opencv_version = CV_VERSION;
#if defined(__clang__)
  b.compiler = str("clang ", __clang_major__, ".", __clang_minor__, ".", __clang_patchlevel__);
#elif defined(__GNUC__)
  b.compiler = str("gcc ", __GNUC__, ".", __GNUC_MINOR__, ".", __GNUC_PATCHLEVEL__);
#else
  b.compiler = "unknown";
#endif
  const DeviceAvailability a = probe_devices();
  b.cuda_devices = a.cuda_devices;
  b.mps_available = a.mps;
  return b;
}

std::string format_version(const BuildInfo& b) {
  return str("ecgtorch ", b.version, " (git ", b.git_sha, ")\n", "libtorch ", b.torch_version, "\n", "opencv ",
             b.opencv_version, "\n", "compiler ", b.compiler, "\n", "cuda: ",
             b.cuda_devices > 0 ? str("available (", b.cuda_devices, " device(s))") : std::string("not available"),
             "\n", "mps: ", b.mps_available ? "available" : "not available", "\n");
}

}  // namespace ecg
