#include "core/device.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace ecg {
namespace {

TEST(ResolveDevice, AutoPrefersCudaThenMpsThenCpu) {
  EXPECT_EQ(resolve_device("auto", {0, false}).str(), "cpu");
  EXPECT_EQ(resolve_device("auto", {0, true}).str(), "mps");
  EXPECT_EQ(resolve_device("auto", {2, true}).str(), "cuda:0");
}

TEST(ResolveDevice, ExplicitDevices) {
  EXPECT_EQ(resolve_device("cpu", {2, true}).str(), "cpu");
  EXPECT_EQ(resolve_device("cuda", {2, false}).str(), "cuda:0");
  EXPECT_EQ(resolve_device("cuda:1", {2, false}).str(), "cuda:1");
  EXPECT_EQ(resolve_device("mps", {0, true}).str(), "mps");
}

TEST(ResolveDevice, AbsentDevicesSaySoClearly) {
  EXPECT_ERROR_HAS(resolve_device("cuda", {0, false}), "device 'cuda': CUDA is not available");
  EXPECT_ERROR_HAS(resolve_device("cuda:2", {2, false}),
                   "device 'cuda:2': only 2 CUDA device(s) visible (cuda:0..cuda:1)");
  EXPECT_ERROR_HAS(resolve_device("mps", {1, false}), "device 'mps': MPS is not available");
  EXPECT_ERROR_HAS(resolve_device("gpu", {1, false}), "device 'gpu': expected auto, cpu, cuda, cuda:N or mps");
  EXPECT_ERROR_HAS(resolve_device("cuda:x", {1, false}), "device 'cuda:x': expected cuda:N");
  EXPECT_ERROR_HAS(resolve_device("cuda:", {1, false}), "expected cuda:N");
}

TEST(ProbeDevices, MatchesThisBuild) {
  const DeviceAvailability a = probe_devices();
  EXPECT_GE(a.cuda_devices, 0);
  // "auto" always resolves to something usable here.
  EXPECT_NO_THROW(resolve_device("auto", a));
}

}  // namespace
}  // namespace ecg
