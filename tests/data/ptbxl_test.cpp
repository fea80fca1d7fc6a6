#include "data/ptbxl.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "test_util.h"

namespace ecg::data {
namespace {

TEST(ScpCodes, Parses) {
  EXPECT_EQ(parse_scp_codes("{'NORM': 100.0, 'LVOLT': 0.0, 'SR': 0.0}", "x"),
            (std::map<std::string, double>{{"NORM", 100.0}, {"LVOLT", 0.0}, {"SR", 0.0}}));
  EXPECT_TRUE(parse_scp_codes("{}", "x").empty());
  EXPECT_ERROR_HAS(parse_scp_codes("NORM: 100", "db.csv:4"), "db.csv:4: scp_codes: expected '{' at character 1");
  EXPECT_ERROR_HAS(parse_scp_codes("{'NORM': high}", "db.csv:4"),
                   "scp_codes likelihood: expected a number, got 'high'");
}

// The labels of the records in labels_selected.json, derived independently of ecgtorch.
TEST(Ptbxl, LabelsMatchTheSelectedRecordsFile) {
  ECG_REQUIRE_SHARED_DATA("ptbxl/labels_selected.json");
  const auto dir = ecg::testing::shared_data_dir() / "ptbxl";
  const PtbxlDatabase db = read_ptbxl(dir / "ptbxl_database.csv", dir / "scp_statements.csv");
  EXPECT_EQ(db.records.size(), 500u);
  EXPECT_EQ(db.superclass_names(), (std::vector<std::string>{"CD", "HYP", "MI", "NORM", "STTC"}));
  const auto want = nlohmann::json::parse(read_file(dir / "labels_selected.json"));
  ASSERT_GE(want.size(), 14u);
  for (const auto& [key, w] : want.items()) {
    SCOPED_TRACE(key);
    const PtbxlRecord& r = db.at(w["ecg_id"].get<int64_t>());
    auto sorted = [](std::vector<std::string> v) {
      std::sort(v.begin(), v.end());
      return v;
    };
    EXPECT_EQ(r.superclasses, sorted(w["diagnostic_superclass"].get<std::vector<std::string>>()));
    EXPECT_EQ(r.rhythm, sorted(w["rhythm"].get<std::vector<std::string>>()));
    EXPECT_EQ(r.form, sorted(w["form"].get<std::vector<std::string>>()));
    EXPECT_EQ(r.strat_fold, w["strat_fold"].get<int>());
    EXPECT_EQ(r.sex, w["sex"].get<int>());
    EXPECT_EQ(r.filename_hr, w["filename_hr"].get<std::string>());
    EXPECT_EQ(r.scp_codes.size(), w["scp_codes"].size());
  }
  const PtbxlRecord& first = db.at(1);
  EXPECT_EQ(first.subclasses, std::vector<std::string>{"NORM"});
  EXPECT_DOUBLE_EQ(first.age, 56.0);
  EXPECT_EQ(first.patient_id, 15709);
  EXPECT_ERROR_HAS(db.at(999999), "PTB-XL: no record with ecg_id 999999");
}

TEST(Ptbxl, BadTablesNameFileLineAndColumn) {
  ecg::testing::TempDir tmp;
  const auto st = tmp.write("s.csv",
                            ",description,diagnostic,form,rhythm,diagnostic_class,diagnostic_subclass\n"
                            "NORM,normal ECG,1.0,,,NORM,NORM\nSR,sinus rhythm,,,1.0,,\n");
  const std::string head = "ecg_id,patient_id,age,sex,scp_codes,strat_fold,filename_lr,filename_hr\n";
  auto db = read_ptbxl(tmp.write("ok.csv", head + "7,1.0,50,0,\"{'NORM': 100.0, 'SR': 0.0}\",4,a,b\n"), st);
  EXPECT_EQ(db.at(7).superclasses, std::vector<std::string>{"NORM"});
  EXPECT_EQ(db.at(7).rhythm, std::vector<std::string>{"SR"});
  EXPECT_ERROR_HAS(read_ptbxl(tmp.write("u.csv", head + "7,1.0,50,0,\"{'XYZ': 100.0}\",4,a,b\n"), st),
                   "u.csv:2: SCP code 'XYZ' is not in");
  EXPECT_ERROR_HAS(read_ptbxl(tmp.write("f.csv", head + "7,1.0,50,0,\"{}\",11,a,b\n"), st),
                   "f.csv:2: strat_fold must be 1..10, got '11'");
  EXPECT_ERROR_HAS(read_ptbxl(tmp.write("a.csv", head + "7,1.0,old,0,\"{}\",1,a,b\n"), st),
                   "a.csv:2: age: expected a number, got 'old'");
  EXPECT_ERROR_HAS(read_ptbxl(tmp.write("c.csv", "ecg_id,age\n1,2\n"), st), "c.csv:1: missing column 'patient_id'");
  EXPECT_ERROR_HAS(read_ptbxl(tmp.write("r.csv", head + "7,1.0\n"), st), "r.csv:2: expected 8 fields, got 2");
}

}  // namespace
}  // namespace ecg::data
