#include "data/kaggle_csv.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/atomic_file.h"
#include "test_util.h"

namespace ecg::data {
namespace {

TEST(KaggleCsv, ReadsLeadsNanAndSampleRate) {
  ecg::testing::TempDir tmp;
  std::string text = "I,II,V1\n";
  for (int i = 0; i < 20; ++i) text += (i < 5 ? std::to_string(i * 0.5) : "") + "," + std::to_string(i) + ",nan\n";
  const auto f = tmp.write("123/123.csv", text);
  const Record r = read_kaggle_csv(f);
  EXPECT_EQ(r.id, "123");
  EXPECT_EQ(r.leads, (std::vector<std::string>{"I", "II", "V1"}));
  EXPECT_EQ(r.signal.sizes(), (std::vector<int64_t>{3, 20}));
  EXPECT_DOUBLE_EQ(r.fs_hz, 2.0);  // 20 rows = 10 s
  EXPECT_FLOAT_EQ(r.signal[0][4].item<float>(), 2.0f);
  EXPECT_TRUE(std::isnan(r.signal[0][5].item<float>()));
  EXPECT_FLOAT_EQ(r.signal[1][19].item<float>(), 19.0f);
  EXPECT_TRUE(torch::isnan(r.signal[2]).all().item<bool>());
  EXPECT_DOUBLE_EQ(read_kaggle_csv(f, 500).fs_hz, 500);
}

TEST(KaggleCsv, RoundTripsFloat32Exactly) {
  ecg::testing::TempDir tmp;
  torch::manual_seed(9);
  Record r;
  r.id = "42";
  r.fs_hz = 50;
  r.leads = {"I", "II", "aVR"};
  r.signal = torch::randn({3, 500});
  r.signal.index_put_({0, torch::indexing::Slice(125, 500)}, NAN);
  write_kaggle_csv(r, tmp / "42.csv");
  const Record back = read_kaggle_csv(tmp / "42.csv");
  EXPECT_TRUE(torch::equal(torch::isnan(back.signal), torch::isnan(r.signal)));
  EXPECT_TRUE(torch::equal(back.signal.nan_to_num(0), r.signal.nan_to_num(0)));
  EXPECT_EQ(back.leads, r.leads);
  EXPECT_DOUBLE_EQ(back.fs_hz, 50);
}

TEST(KaggleCsv, BadInputNamesFileLineAndColumn) {
  ecg::testing::TempDir tmp;
  EXPECT_ERROR_HAS(read_kaggle_csv(tmp.write("a.csv", "I,II\n1,2\n3\n")), "a.csv:3: expected 2 columns, got 1");
  EXPECT_ERROR_HAS(read_kaggle_csv(tmp.write("b.csv", "I,II\n1,2\n3,x4\n")),
                   "b.csv:3: column II: expected a number, got 'x4'");
  EXPECT_ERROR_HAS(read_kaggle_csv(tmp.write("c.csv", "")), "c.csv: empty file");
  EXPECT_ERROR_HAS(read_kaggle_csv(tmp.write("d.csv", "I,II\n")), "d.csv: no samples after the header");
  EXPECT_ERROR_HAS(read_kaggle_csv(tmp.write("e.csv", "I,,II\n1,2,3\n")), "e.csv:1: empty column name");
  EXPECT_ERROR_HAS(read_kaggle_csv(tmp / "none.csv"), "none.csv: cannot open");
}

TEST(KaggleLayout, IndexAndRecordsRoundTrip) {
  ecg::testing::TempDir root;
  Record r;
  r.id = "1006427285";
  r.fs_hz = 250;
  r.leads = standard_leads();
  r.signal = torch::full({12, 2500}, NAN);
  r.signal[1] = torch::linspace(-1, 1, 2500);                 // lead II: 10 s
  r.signal[0].slice(0, 0, 625) = torch::linspace(0, 1, 625);  // lead I: first 2.5 s
  write_kaggle_csv(r, root / ("train/" + r.id + "/" + r.id + ".csv"));
  write_kaggle_index({{r.id, 250, 2500}, {"7", 500, 5000}}, root / "train.csv");
  const auto index = read_kaggle_index(root / "train.csv");
  ASSERT_EQ(index.size(), 2u);
  EXPECT_EQ(index[0].id, "1006427285");
  EXPECT_DOUBLE_EQ(index[1].fs_hz, 500);
  EXPECT_EQ(index[1].sig_len, 5000);
  const Record back = read_kaggle_record(root.path(), r.id);
  EXPECT_DOUBLE_EQ(back.fs_hz, 250);
  EXPECT_TRUE(torch::equal(torch::isnan(back.signal), torch::isnan(r.signal)));
  EXPECT_ERROR_HAS(read_kaggle_record(root.path(), "42"), "train.csv: no record with id '42'");
  write_kaggle_index({{r.id, 250, 2400}}, root / "train.csv");
  EXPECT_ERROR_HAS(read_kaggle_record(root.path(), r.id), ".csv: 2500 rows but train.csv says sig_len 2400");
  EXPECT_ERROR_HAS(read_kaggle_index(root.write("bad.csv", "id,fs,sig_len\n1,fast,10\n")),
                   "bad.csv:2: fs and sig_len must be numbers, got 'fast' and '10'");
  EXPECT_ERROR_HAS(read_kaggle_index(root.write("nocol.csv", "id,fs\n1,500\n")),
                   "nocol.csv:1: missing column 'sig_len'");
}

}  // namespace
}  // namespace ecg::data
