// Layout checks: every image with its signal and metadata, lengths and leads agreeing.

#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.h"
#include "datamgr/check_pairs.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace ecg::datamgr;
using ecg::testing::TempDir;

namespace {

const char* kLeads = "I,II,III,aVR,aVL,aVF,V1,V2,V3,V4,V5,V6";

std::string kaggle_csv(int rows, const std::string& header = kLeads) {
  std::string s = header + "\n";
  for (int i = 0; i < rows; ++i) s += "0.1,0.2,,,,,,,,,,\n";
  return s;
}

std::vector<std::string> lines_of(const PairCheckReport& r) {
  std::vector<std::string> out;
  for (const auto& p : r.problems) out.push_back(p.record + ": " + p.problem);
  return out;
}

/// A WFDB record of 12 leads x `samples` at 500 Hz in format 16, with image comments.
void write_record(const TempDir& d, const std::string& name, int64_t samples, int64_t dat_bytes,
                  const std::string& comments, const std::vector<std::string>& leads) {
  std::string hea = name + " " + std::to_string(leads.size()) + " 500 " + std::to_string(samples) + "\n";
  for (const auto& l : leads) hea += name + ".dat 16 1000/mV 16 0 0 0 0 " + l + "\n";
  d.write("set/" + name + ".hea", hea + comments);
  d.write("set/" + name + ".dat", std::string(static_cast<size_t>(dat_bytes), '\0'));
}

}  // namespace

TEST(CheckPairs, KaggleLayoutListsEveryPairOutOfLine) {
  TempDir d;
  d.write("k/train.csv", "id,fs,sig_len\n1,500,5000\n2,250,2500\n3,500,5000\n5,300,3000\n");
  d.write("k/train/1/1.csv", kaggle_csv(5000));
  d.write("k/train/1/1-0001.png", "png");
  d.write("k/train/1/9-0001.png", "png");  // someone else's image
  d.write("k/train/2/2.csv", kaggle_csv(2499, "I,II,III,aVR,aVL,aVF,V1,V2,V3,V4,V5,X"));
  d.write("k/train/2/2-0003.jpg", "jpg");
  d.write("k/train/4/4-0001.png", "png");  // no train.csv row
  d.write("k/train/5/5.csv", kaggle_csv(3000));
  d.write("k/train/5/5-0001.png", "png");
  const auto r = check_pairs(d / "k", PairLayout::kKaggle, {});
  EXPECT_EQ(r.records, 4);
  EXPECT_EQ(lines_of(r), (std::vector<std::string>{
                             "train/2: train/2/2.csv has 2499 rows; train.csv line 3 says sig_len 2500",
                             "train/2: train/2/2.csv lacks the leads V6",
                             "train/2: train/2/2.csv has unexpected columns X",
                             "train/3: the signal train/3/3.csv is missing",
                             "train/3: no image 3-<type>.png beside the signal",
                             "train/5: fs 300 Hz (train.csv line 5) is not one of 250, 256, 500, 512, 1000, 1025",
                             "train/1: image train/1/9-0001.png does not belong to record 1",
                             "train/4: has no row in train.csv (no fs / sig_len for its images and signal)",
                         }));
  EXPECT_ERROR_HAS(check_pairs(d / "k/train", PairLayout::kKaggle, {}), "expected train.csv (the kaggle layout)");
}

TEST(CheckPairs, Physionet2024ImagesMustBeListedAndPresent) {
  TempDir d;
  const std::vector<std::string> leads = {"I", "II", "III", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6"};
  write_record(d, "r1", 10, 240, "# Image: r1-0.png\n", leads);
  d.write("set/r1-0.png", "png");
  write_record(d, "r2", 10, 200, "#Image: r2-0.png, r2-1.png\n", leads);  // short data, one image missing
  d.write("set/r2-0.png", "png");
  write_record(d, "r3", 10, 240, "", std::vector<std::string>(leads.begin(), leads.end() - 1));
  d.write("set/r3-0.png", "png");
  d.write("set/r4-0.png", "png");  // no header at all
  const auto r = check_pairs(d / "set", PairLayout::kPhysionet2024, {});
  EXPECT_EQ(r.records, 3);
  EXPECT_EQ(lines_of(r), (std::vector<std::string>{
                             "r2: r2.dat holds 200 bytes; the header's 10 samples at 500 Hz need 240",
                             "r2: the image r2-1.png listed in the header is missing",
                             "r3: lacks the leads V6",
                             "r3: the header lists no image ('# Image: <file>')",
                             "r3: the image r3-0.png is not listed in the header",
                             "r4-0.png: image without a signal: no header r4.hea",
                         }));
  // As plain WFDB, images are not looked at.
  PairCheckOptions any;
  any.leads.clear();
  EXPECT_EQ(lines_of(check_pairs(d / "set", PairLayout::kWfdb, any)),
            std::vector<std::string>{"r2: r2.dat holds 200 bytes; the header's 10 samples at 500 Hz need 240"});
}

TEST(CheckPairs, SharedPtbxlRecordsAreComplete) {
  ECG_REQUIRE_SHARED_DATA("ptbxl/records500");
  const auto r = check_pairs(ecg::testing::shared_data_dir() / "ptbxl/records500", PairLayout::kWfdb, {});
  EXPECT_EQ(r.records, 14);
  EXPECT_TRUE(r.problems.empty()) << lines_of(r)[0];
  EXPECT_ERROR_HAS(parse_pair_layout("csv"), "unknown layout 'csv': expected kaggle, physionet2024 or wfdb");
}
