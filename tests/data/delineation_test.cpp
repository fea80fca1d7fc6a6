#include "data/delineation.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace ecg::data {
namespace {

Annotation ann(int64_t sample, const char* symbol) {
  Annotation a;
  a.sample = sample;
  a.code = annotation_code(symbol);
  return a;
}

TEST(Delineation, WavesBecomeBeatsWithTheirPAndT) {
  // Beat 1: P (10 12 14), QRS (20 25 30), T (40 45 50). Beat 2: QRS without brackets, no P,
  // then a T with no offset.
  const std::vector<Annotation> a = {ann(10, "("), ann(12, "p"), ann(14, ")"), ann(20, "("), ann(25, "N"), ann(30, ")"),
                                     ann(40, "("), ann(45, "t"), ann(50, ")"), ann(80, "N"), ann(95, "t")};
  const auto b = delineation_fiducials(a);
  ASSERT_EQ(b.size(), 2U);
  EXPECT_EQ(b[0].p_onset, 10);
  EXPECT_EQ(b[0].p_peak, 12);
  EXPECT_EQ(b[0].p_offset, 14);
  EXPECT_EQ(b[0].qrs_onset, 20);
  EXPECT_EQ(b[0].r_peak, 25);
  EXPECT_EQ(b[0].qrs_offset, 30);
  EXPECT_EQ(b[0].t_peak, 45);
  EXPECT_EQ(b[0].t_offset, 50);
  EXPECT_EQ(b[1].p_peak, -1);  // the P before beat 1 is not beat 2's
  EXPECT_EQ(b[1].qrs_onset, 80);
  EXPECT_EQ(b[1].qrs_offset, 80);
  EXPECT_EQ(b[1].t_peak, 95);
  EXPECT_EQ(b[1].t_offset, -1);
  // A window [20, 60): beat 1 kept and re-based, its P (before the window) dropped.
  const auto w = shift_fiducials(b, 20, 40);
  ASSERT_EQ(w.size(), 1U);
  EXPECT_EQ(w[0].p_peak, -1);
  EXPECT_EQ(w[0].qrs_onset, 0);
  EXPECT_EQ(w[0].r_peak, 5);
  EXPECT_EQ(w[0].t_offset, 30);
}

TEST(Delineation, LudbRecordOneLeadII) {
  ECG_REQUIRE_SHARED_DATA("ludb/1.ii");
  const auto b = delineation_fiducials(read_mit_annotations(ecg::testing::shared_data_dir() / "ludb/1.ii"));
  // LUDB delineates the beats between about 1.3 s and 8 s of this record (46 bpm).
  std::vector<int64_t> r;
  for (const auto& f : b) r.push_back(f.r_peak);
  EXPECT_EQ(r, (std::vector<int64_t>{662, 1342, 2000, 2642, 3314, 3969}));
  EXPECT_EQ(b.front().p_peak, -1);  // the first beat's P is not annotated
  EXPECT_EQ(b[1].p_peak, 1278);
  EXPECT_EQ(b[1].t_offset, 1572);
  EXPECT_EQ(b.back().t_peak, -1);  // nor the last beat's T
  for (const auto& f : b) {
    EXPECT_LT(f.qrs_onset, f.r_peak);
    EXPECT_LT(f.r_peak, f.qrs_offset);
    if (f.p_peak >= 0) EXPECT_LT(f.p_offset, f.qrs_onset);
    if (f.t_peak >= 0) EXPECT_LT(f.qrs_offset, f.t_peak);
    EXPECT_LT(f.qrs_offset - f.qrs_onset, 75);  // < 150 ms at 500 Hz
  }
}

}  // namespace
}  // namespace ecg::data
