#pragma once
// PTB-XL metadata (Wagner et al. 2020): ptbxl_database.csv (one row per ECG, SCP codes
// with likelihoods, the 10 stratified folds) and scp_statements.csv (what each SCP code
// is). Labels follow the PTB-XL benchmark (Strodthoff et al. 2021): every code listed
// in scp_codes counts, whatever its likelihood;
//   diagnostic superclass / subclass: diagnostic_class / diagnostic_subclass of codes
//     with diagnostic = 1 (superclasses NORM, MI, STTC, CD, HYP);
//   form: codes with form = 1;  rhythm: codes with rhythm = 1.
// Label lists are sorted and unique.
//
//   PtbxlDatabase db = read_ptbxl("ptbxl/ptbxl_database.csv", "ptbxl/scp_statements.csv");
//   const PtbxlRecord& r = db.at(1);   // r.superclasses == {"NORM"}, r.strat_fold == 3

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ecg::data {

struct ScpStatement {
  std::string code;
  std::string description;
  bool diagnostic = false, form = false, rhythm = false;
  std::string diagnostic_class;     // superclass, e.g. "MI"
  std::string diagnostic_subclass;  // e.g. "AMI"
};

struct PtbxlRecord {
  int64_t ecg_id = 0;
  int64_t patient_id = 0;
  double age = 0;  // NaN when missing
  int sex = -1;    // 0 male, 1 female, -1 missing
  int strat_fold = 0;
  std::map<std::string, double> scp_codes;  // code -> likelihood (%)
  std::string filename_lr, filename_hr;     // relative to the database root, no extension
  std::vector<std::string> superclasses, subclasses, form, rhythm;
};

struct PtbxlDatabase {
  std::map<std::string, ScpStatement> statements;
  std::vector<PtbxlRecord> records;
  /// The record with this ecg_id; throws ecg::Error when absent.
  const PtbxlRecord& at(int64_t ecg_id) const;
  /// Every superclass in the statements table, sorted.
  std::vector<std::string> superclass_names() const;
};

/// Parses scp_codes text like "{'NORM': 100.0, 'SR': 0.0}". Throws ecg::Error naming
/// `where` on anything else.
std::map<std::string, double> parse_scp_codes(const std::string& text, const std::string& where);

/// Reads both tables. Throws ecg::Error "file:line: ..." for a missing column, a bad
/// number or an SCP code that the statements table does not define.
PtbxlDatabase read_ptbxl(const std::filesystem::path& database_csv, const std::filesystem::path& statements_csv);

}  // namespace ecg::data
