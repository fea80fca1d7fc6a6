#include "data/qrs_stream.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <random>

#include "core/error.h"
#include "data/annotations.h"
#include "data/beats.h"
#include "data/dsp.h"
#include "data/stream_resampler.h"
#include "data/wfdb.h"
#include "test_util.h"

namespace ecg::data {
namespace {

// Chunk sizes drawn from 1 .. max, the same for a given seed.
std::vector<int64_t> chunks(int64_t n, int64_t max, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int64_t> out;
  for (int64_t done = 0; done < n;) {
    const int64_t c = std::min<int64_t>(n - done, std::uniform_int_distribution<int64_t>(1, max)(rng));
    out.push_back(c);
    done += c;
  }
  return out;
}

TEST(StreamingResampler, GivesResamplePolysSamplesInAnyChunking) {
  const auto x = torch::randn({3001}, torch::TensorOptions().dtype(torch::kFloat64)).cumsum(0);
  for (const auto& [from, to] :
       {std::pair<double, double>{128, 360}, {500, 360}, {257, 360}, {360, 360}, {1000, 360}}) {
    const auto want = resample(x, from, to).contiguous();
    const double* px = x.data_ptr<double>();
    for (uint64_t seed : {1u, 2u}) {
      StreamingResampler r(from, to);
      std::vector<double> got;
      int64_t at = 0;
      for (int64_t c : chunks(x.size(0), seed == 1 ? 7 : 400, seed)) {
        r.push(px + at, c, &got);
        at += c;
      }
      r.finish(&got);
      ASSERT_EQ(static_cast<int64_t>(got.size()), want.size(0)) << from << " -> " << to;
      for (int64_t i = 0; i < want.size(0); ++i)
        ASSERT_EQ(got[static_cast<size_t>(i)], want[i].item<double>()) << from << " -> " << to << " sample " << i;
    }
  }
  EXPECT_THROW(StreamingResampler(360.5, 360), ecg::Error);
}

TEST(StreamingQrs, FindsSyntheticBeatsAndIgnoresChunking) {
  const double fs = 250;
  const int64_t n = 5000;
  const auto k = torch::arange(n, torch::kFloat64);
  auto x = 0.3 + 0.2 * torch::sin(2 * M_PI * 0.25 * k / fs);
  std::vector<int64_t> truth;
  for (int64_t c = 100; c < n - 50; c += 200) {
    truth.push_back(c);
    x = x + 1.5 * torch::exp(-((k - c) / 3.0).pow(2));
  }
  const auto found = stream_r_peaks(x, fs);
  ASSERT_EQ(found.size(), truth.size());
  for (size_t i = 0; i < truth.size(); ++i) EXPECT_LE(std::llabs(found[i] - truth[i]), 1) << i;
  // Chunked: the same peaks, each reported within max_delay_samples of its time (after learning).
  const auto xf = x.to(torch::kFloat32).contiguous();
  StreamingQrsDetector d(fs);
  std::vector<int64_t> got;
  int64_t at = 0;
  for (int64_t c : chunks(n, 37, 3)) {
    const size_t before = got.size();
    d.push(xf.data_ptr<float>() + at, c, &got);
    at += c;
    for (size_t i = before; i < got.size(); ++i) {
      if (got[i] > d.learning_samples()) {
        EXPECT_LE(at - got[i], d.max_delay_samples() + c) << got[i];
      }
    }
  }
  d.finish(&got);
  EXPECT_EQ(got, found);
}

// QRS detection on the shipped MIT-BIH records: the streaming detector that detect and the
// beats dataset use.
TEST(StreamingQrs, Mitdb) {
  ECG_REQUIRE_SHARED_DATA("mitdb/208.atr");
  for (const auto& [rec, min_se, min_ppv] :
       {std::tuple<const char*, double, double>{"100", 0.999, 0.999}, {"208", 0.99, 0.99}}) {
    const auto base = (ecg::testing::shared_data_dir() / "mitdb" / rec).string();
    const auto r = read_wfdb(base);
    std::vector<int64_t> ref;
    for (const auto& a : read_mit_annotations(base + ".atr")) {
      if (aami_class(a.code) != 0) ref.push_back(a.sample);
    }
    const auto found = stream_r_peaks(r.signal[0], r.fs_hz);
    const auto s = score_detections(found, ref, static_cast<int64_t>(0.15 * r.fs_hz));
    std::printf("%s: Se %.4f PPV %.4f (%lld FN, %lld FP)\n", rec, s.sensitivity, s.ppv,
                static_cast<long long>(s.false_negatives), static_cast<long long>(s.false_positives));
    EXPECT_GE(s.sensitivity, min_se) << rec;
    EXPECT_GE(s.ppv, min_ppv) << rec;
  }
}

TEST(MatchBeats, ClosestPairsFirstOneToOne) {
  // ref 100 and 130 both within 54 of test 120: 130 is closer, so 100 takes nothing else
  // in range and stays unmatched; 400 matches 420; 1000 has none.
  EXPECT_EQ(match_beats({100, 130, 400, 1000}, {120, 420, 700}, 54), (std::vector<int64_t>{-1, 0, 1, -1}));
  EXPECT_EQ(match_beats({100, 200}, {150}, 50), (std::vector<int64_t>{0, -1}));  // tie: the earlier reference
  EXPECT_EQ(match_beats({}, {1, 2}, 5), std::vector<int64_t>{});
}

}  // namespace
}  // namespace ecg::data
