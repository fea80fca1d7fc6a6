#include "train/scoring.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "data/kaggle_csv.h"
#include "data/wfdb.h"
#include "losses/snr_metrics.h"
#include "test_util.h"

namespace ecg::train {
namespace {

// The organisers' worked example as Kaggle CSVs: 12 rows (so fs = 1.2 and a max shift
// of 0), lead II full, the other leads in rows 0..2.
data::Record worked_example() {
  const std::vector<std::vector<float>> leads = {
      {0.1f, 0.3f, 0.4f}, {0.6f, 0.6f, 0.4f, 0.2f, 0.3f, 0.4f, 0.5f, 0.2f, 0.7f, 0.2f, 0.3f, 0.4f},
      {0.6f, 0.6f, 0.4f}, {0.2f, 0.3f, 0.4f},
      {0.5f, 0.2f, 0.7f}, {0.2f, 0.3f, 0.4f},
      {0.8f, 0.6f, 0.7f}, {0.2f, 0.3f, -0.1f},
      {0.5f, 0.6f, 0.7f}, {0.2f, 0.9f, 0.4f},
      {0.5f, 0.6f, 0.7f}, {0.1f, 0.3f, 0.4f}};
  data::Record r;
  r.id = "343";
  r.fs_hz = 1.2;
  r.leads = data::standard_leads();
  r.signal = torch::full({12, 12}, NAN);
  for (int64_t l = 0; l < 12; ++l) {
    for (size_t k = 0; k < leads[l].size(); ++k) r.signal[l][static_cast<int64_t>(k)] = leads[l][k];
  }
  return r;
}

TEST(ScoreDirectories, KaggleWorkedExampleThroughCsvFiles) {
  ecg::testing::TempDir truth, pred;
  auto r = worked_example();
  data::write_kaggle_csv(r, truth / "train/343/343.csv");
  write_kaggle_csv(r, pred / "343.csv");
  EXPECT_NEAR(score_directories(pred.path(), truth.path(), {"kaggle", 384}).score, 25.8433, 5e-5);
  r.signal[0][0] = 0.9f;
  write_kaggle_csv(r, pred / "343.csv");
  EXPECT_NEAR(score_directories(pred.path(), truth.path(), {"kaggle", 384}).score, 13.6291, 5e-5);
  r.signal[2][1] = 0.3f;
  write_kaggle_csv(r, pred / "343.csv");
  const auto rep = score_directories(pred.path(), truth.path(), {"kaggle", 384});
  EXPECT_NEAR(rep.score, 13.0576, 5e-5);
  ASSERT_EQ(rep.records.size(), 1u);
  EXPECT_NEAR(rep.records[0].second, 13.0576, 5e-5);
  ASSERT_EQ(rep.leads.size(), 12u);
  EXPECT_EQ(rep.leads[1].first, "II");
  EXPECT_NEAR(rep.leads[1].second, 10 * std::log10(384.0), 1e-9);  // lead II untouched: capped
}

TEST(ScoreDirectories, ChallengeAcrossFormatsLeadNamesAndMissingRecords) {
  ecg::testing::TempDir truth, pred;
  data::Record t;
  t.id = "a";
  t.fs_hz = 100;
  t.leads = {"I", "AVR"};
  t.signal = torch::tensor({{1.0f, 2.0f, 0.0f, 0.0f}, {3.0f, 4.0f, 0.0f, 0.0f}});
  data::write_wfdb(t, truth.path());
  data::Record b = t;
  b.id = "b";
  data::write_wfdb(b, truth.path());
  // Prediction of "a" as CSV, leads in another order and case, lead I off by 1 in one sample.
  data::Record p;
  p.id = "a";
  p.fs_hz = 100;
  p.leads = {"aVR", "i"};
  p.signal = torch::tensor({{3.0f, 4.0f, 0.0f, 0.0f}, {1.0f, 1.0f, 0.0f, 0.0f}});
  data::write_kaggle_csv(p, pred / "a.csv");
  data::Record stray = p;
  stray.id = "zzz";
  data::write_kaggle_csv(stray, pred / "zzz.csv");
  // CSV fs is rows / 10 = 0.4, which differs from the truth's 100 Hz: rejected.
  EXPECT_ERROR_HAS(score_directories(pred.path(), truth.path(), {"challenge2024", 384}),
                   "record a: prediction at 0.4 Hz, truth at 100 Hz");
  data::write_wfdb(p, pred.path());
  std::filesystem::remove(pred / "a.csv");
  const auto rep = score_directories(pred.path(), truth.path(), {"challenge2024", 384});
  // a: I -> 10 log10(5 / 1), aVR -> +inf; b: missing -> zeros -> 0 dB per lead.
  EXPECT_EQ(rep.missing, std::vector<std::string>{"b"});
  EXPECT_EQ(rep.unmatched, std::vector<std::string>{"zzz"});
  EXPECT_EQ(rep.score, INFINITY);  // one perfect lead makes the mean +inf, as in the official scorer
  ASSERT_EQ(rep.records.size(), 2u);
  EXPECT_EQ(rep.records[0].second, INFINITY);
  EXPECT_NEAR(rep.records[1].second, 0.0, 1e-12);
  EXPECT_NEAR(rep.leads[0].second, 10 * std::log10(5.0) / 2, 1e-6);  // lead I over a and b
  const auto j = to_json(rep);
  EXPECT_EQ(j["score_db"], "inf");
  EXPECT_EQ(j["records"]["b"], 0.0);
}

TEST(ScoreDirectories, Errors) {
  ecg::testing::TempDir truth, pred;
  EXPECT_ERROR_HAS(score_directories(pred.path(), truth.path(), {"kaggle", 384}), "no record found");
  EXPECT_ERROR_HAS(score_directories(pred / "nope", truth.path(), {"kaggle", 384}), "nope: not a directory");
  auto r = worked_example();
  data::write_kaggle_csv(r, truth / "343.csv");
  r.signal[1][5] = NAN;  // inside lead II's span
  data::write_kaggle_csv(r, pred / "343.csv");
  EXPECT_ERROR_HAS(score_directories(pred.path(), truth.path(), {"kaggle", 384}),
                   "record 343 lead II sample 5: the prediction is not finite");
  data::write_kaggle_csv(r, truth / "sub/343.csv");
  EXPECT_ERROR_HAS(find_records(truth.path()), "record '343' appears twice");
  EXPECT_ERROR_HAS(score_records({}, {"snr", 384}), "score: unknown metric 'snr'");
}

}  // namespace
}  // namespace ecg::train
