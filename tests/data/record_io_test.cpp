#include "data/record_io.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "data/annotations.h"
#include "data/dsp.h"
#include "data/kaggle_csv.h"
#include "data/wfdb.h"
#include "test_util.h"

namespace ecg::data {
namespace {

Record small() {
  Record r;
  r.id = "s1";
  r.fs_hz = 4;
  r.leads = {"I", "II"};
  r.units = {"mV", "mV"};
  r.signal = torch::tensor({{1.0f, 2.0f, 3.0f, 4.0f}, {-1.0f, NAN, 1.0f, 0.0f}});
  return r;
}

TEST(LeadStats, ExactOverFiniteSamples) {
  const auto s = lead_stats(small());
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].n, 4);
  EXPECT_DOUBLE_EQ(s[0].mean, 2.5);
  EXPECT_DOUBLE_EQ(s[0].std, std::sqrt(1.25));
  EXPECT_DOUBLE_EQ(s[0].min, 1.0);
  EXPECT_DOUBLE_EQ(s[0].max, 4.0);
  EXPECT_EQ(s[1].n, 3);
  EXPECT_DOUBLE_EQ(s[1].mean, 0.0);
  const auto j = describe_json(small());
  EXPECT_EQ(j["leads"][1]["n"], 3);
  EXPECT_DOUBLE_EQ(j["duration_s"].get<double>(), 1.0);
  EXPECT_NE(describe_text(small()).find("record s1: 2 leads, 4 Hz, 4 samples (1 s)"), std::string::npos);
}

TEST(ReadRecord, DispatchesOnExtension) {
  ecg::testing::TempDir tmp;
  write_wfdb(small(), tmp.path());
  write_kaggle_csv(small(), tmp / "s1.csv");
  for (const auto& p : {tmp / "s1", tmp / "s1.hea", tmp / "s1.dat", tmp / "s1.csv"}) {
    const Record r = read_record(p);
    EXPECT_EQ(r.id, "s1") << p;
    EXPECT_TRUE(torch::allclose(r.signal, small().signal, 0, 1e-6, /*equal_nan=*/true)) << p;
  }
  EXPECT_ERROR_HAS(read_record(tmp / "x.edf"), "x.edf: not a record: no WFDB header");
}

TEST(ConvertRecord, WfdbToCsvToWfdbAndBack) {
  ECG_REQUIRE_SHARED_DATA("ludb/1.hea");
  ecg::testing::TempDir tmp;
  const auto src = ecg::testing::shared_data_dir() / "ludb/1";
  const auto csv = convert_record(src, "csv", tmp.path());
  ASSERT_EQ(csv.size(), 1u);
  EXPECT_EQ(csv[0], tmp / "1.csv");
  const auto wf = convert_record(src, "wfdb", tmp / "w");  // keeps gains and baselines: exact
  EXPECT_TRUE(torch::equal(read_wfdb_adc(read_wfdb_header(tmp / "w/1")), read_wfdb_adc(read_wfdb_header(src))));
  convert_record(tmp / "1.csv", "wfdb", tmp / "fromcsv", 16);  // 1 uV steps
  const Record a = read_record(src), b = read_record(tmp / "fromcsv/1");
  EXPECT_LT((a.signal - b.signal).abs().max().item<float>(), 0.0005f + 1e-6f);
  EXPECT_ERROR_HAS(convert_record(src, "edf", tmp.path()), "convert: unknown target format 'edf'");
  EXPECT_ERROR_HAS(convert_record(src, "csv", tmp.path(), 212), "--format applies to --to wfdb only");
}

TEST(ConvertRecord, ResamplesWithItsAnnotations) {
  ECG_REQUIRE_SHARED_DATA("mitdb/100s.atr");
  ecg::testing::TempDir tmp;
  const auto src = ecg::testing::shared_data_dir() / "mitdb/100s.hea";
  ConvertOptions o;
  o.fs_hz = 128;
  o.annotations = {"atr"};
  const auto files = convert_record(src, "wfdb", tmp.path(), o);
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[2], tmp / "100s.atr");
  const Record r = read_record(tmp / "100s.hea"), s = read_record(src);
  EXPECT_EQ(r.fs_hz, 128.0);
  EXPECT_EQ(r.num_samples(), 7680);  // 60 s
  EXPECT_EQ(r.leads, s.leads);
  // The samples are resample_poly's, to the source's 5 uV steps (gain 200 kept).
  const auto want = resample(s.signal, 360, 128);
  EXPECT_LE((r.signal - want).abs().max().item<float>(), 0.0025f + 1e-6f);
  const auto a = read_mit_annotations(tmp / "100s.atr"),
             b = read_mit_annotations(ecg::testing::shared_data_dir() / "mitdb/100s.atr");
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].sample, std::llround(static_cast<double>(b[i].sample) * 128.0 / 360.0)) << i;
    EXPECT_EQ(a[i].code, b[i].code) << i;
  }
  o.annotations = {"qrs"};
  EXPECT_ERROR_HAS(convert_record(src, "wfdb", tmp / "q", o), "100s.qrs: no annotation file 'qrs' beside the record");
  EXPECT_FALSE(std::filesystem::exists(tmp / "q/100s.hea"));  // nothing written
  EXPECT_ERROR_HAS(convert_record(src, "csv", tmp.path(), o), "--annotations applies to --to wfdb only");
}

}  // namespace
}  // namespace ecg::data
