#include "data/dsp.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "golden/dsp_golden.h"
#include "test_util.h"

namespace ecg::data {
namespace {

torch::Tensor t(const std::vector<double>& v) {
  return torch::tensor(v, torch::kFloat64);
}

double max_diff(const torch::Tensor& a, const std::vector<double>& b) {
  EXPECT_EQ(a.numel(), static_cast<int64_t>(b.size()));
  if (a.numel() != static_cast<int64_t>(b.size())) return 1e9;
  return (a - t(b)).abs().max().item<double>();
}

TEST(Dsp, ButterworthFiltersMatchScipy) {
  const auto x = t(golden::dsp_input());
  EXPECT_LT(max_diff(bandpass(x, 500, 0.5, 40), golden::bandpass_05_40_o4()), 1e-9);
  EXPECT_LT(max_diff(highpass(x, 500, 0.5, 2), golden::highpass_05_o2()), 1e-9);
  EXPECT_LT(max_diff(remove_baseline_highpass(x, 500, 0.5), golden::highpass_05_o2()), 1e-9);
  EXPECT_LT(max_diff(lowpass(x, 500, 40, 3), golden::lowpass_40_o3()), 1e-9);  // odd order: a first-order section
  EXPECT_LT(max_diff(lowpass(x, 500, 100, 4), golden::lowpass_100_o4()), 1e-9);
}

TEST(Dsp, NotchMatchesScipy) {
  EXPECT_LT(max_diff(notch(t(golden::dsp_input()), 500, 50, 30), golden::notch_50_q30()), 1e-9);
  // A pure 50 Hz tone is removed; a 10 Hz tone passes.
  const auto n = torch::arange(2000, torch::kFloat64);
  const auto hum = torch::sin(2 * M_PI * 50 * n / 500), ecg = torch::sin(2 * M_PI * 10 * n / 500);
  const auto y = notch(hum + ecg, 500);
  EXPECT_LT((y - ecg).slice(0, 500, 1500).abs().max().item<double>(), 0.01);
}

TEST(Dsp, ResamplingMatchesScipy) {
  const auto x = t(golden::dsp_input());
  EXPECT_LT(max_diff(resample(x, 500, 100), golden::resample_500_to_100()), 1e-9);
  EXPECT_LT(max_diff(resample_poly(x, 25, 18), golden::resample_360_to_500()), 1e-9);
  EXPECT_LT(max_diff(resample(x.slice(0, 0, 200), 100, 500), golden::resample_100_to_500()), 1e-9);
  EXPECT_EQ(resample(x, 360, 500).size(0), 1389);  // ceil(1000 * 25 / 18)
  EXPECT_TRUE(torch::equal(resample(x, 250, 250), x));
}

TEST(Dsp, BatchesDtypesAndErrors) {
  const auto x = t(golden::dsp_input());
  const auto batch = torch::stack({x, -x}).view({1, 2, 1000}).to(torch::kFloat32);
  const auto y = bandpass(batch, 500, 0.5, 40);
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{1, 2, 1000}));
  EXPECT_EQ(y.scalar_type(), torch::kFloat32);
  EXPECT_LT((y[0][1] + y[0][0]).abs().max().item<float>(), 1e-5f);  // linear: f(-x) = -f(x)
  EXPECT_ERROR_HAS(bandpass(x, 500, 0.5, 300), "butterworth: high_hz 300 Hz must be inside (0, 250) Hz at fs 500 Hz");
  EXPECT_ERROR_HAS(bandpass(x, 500, 40, 0.5), "bandpass needs low_hz < high_hz");
  EXPECT_ERROR_HAS(bandpass(x.slice(0, 0, 20), 500, 0.5, 40),
                   "sosfiltfilt: the signal has 20 samples; it must be longer than the padding of 27");
  EXPECT_ERROR_HAS(butterworth(4, "bandstop", 1, 2, 500), "type must be lowpass, highpass or bandpass");
  EXPECT_ERROR_HAS(notch(x, 500, 300), "notch: f0 300 Hz must be inside (0, 250) Hz");
  EXPECT_ERROR_HAS(resample(x, 360.5, 500), "resample: rates must be positive integers");
}

}  // namespace
}  // namespace ecg::data
