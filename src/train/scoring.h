#pragma once
// Scoring digitised signals against the truth, as `ecgtorch score` does.
//
// Both directories are searched recursively for records: WFDB (*.hea) or Kaggle CSVs
// (*.csv other than train.csv / test.csv). Records pair up by id (the file stem).
// Leads pair up by name, case-insensitively. A truth record without a prediction is
// scored as all zeros and listed under `missing`, as the Challenge scorer does; a lead
// missing from a prediction is zeros too. See losses/snr_metrics.h for both metrics.
//
//   ScoreReport r = score_directories("preds/", "truth/", ScoreOptions{"kaggle"});

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/record.h"

namespace ecg::train {

struct ScoreOptions {
  std::string metric = "kaggle";  // challenge2024 | kaggle
  double cap = 384.0;             // kaggle only
};

struct ScoreReport {
  std::string metric;
  double cap = 0;
  double score = 0;                                     // dB
  std::vector<std::pair<std::string, double>> records;  // per record id, dB
  std::vector<std::pair<std::string, double>> leads;    // per lead name, dB
  std::vector<std::string> missing;                     // truth ids with no prediction
  std::vector<std::string> unmatched;                   // prediction ids with no truth
};

/// Record id -> file, for every WFDB header or Kaggle CSV under `dir`. Two files with
/// the same id throw ecg::Error naming both.
std::map<std::string, std::filesystem::path> find_records(const std::filesystem::path& dir);

/// Reads a record from a .hea or .csv file.
data::Record load_record(const std::filesystem::path& file);

/// Scores one prediction against its truth (both already loaded).
ScoreReport score_records(const std::vector<std::pair<data::Record, data::Record>>& pred_truth,
                          const ScoreOptions& options);

ScoreReport score_directories(const std::filesystem::path& pred_dir, const std::filesystem::path& truth_dir,
                              const ScoreOptions& options);

/// The truth of digitised pages: for every page JSON under `windows_dir` (ecg-image-kit's
/// ground truth: leads[] with lead_name, start_sample, end_sample), the record that the
/// page plots, found in `records_dir` by the page's stem less a "-N" suffix
/// (00001_hr-0 -> record 00001_hr; a stem that is itself a record id is taken as it is),
/// with each lead kept over its longest window on the page and NaN elsewhere. Keyed by
/// page stem. Throws ecg::Error naming the JSON file and key for a malformed window and
/// naming the page for a record that is not found.
std::map<std::string, data::Record> windowed_truth(const std::filesystem::path& records_dir,
                                                   const std::filesystem::path& windows_dir);

/// Scores the pages digitised into `pred_dir` against windowed_truth(). A page without a
/// prediction scores as zeros (listed as missing); NaN in a prediction inside a window
/// (a lead the digitiser did not find) counts as 0.
ScoreReport score_windows(const std::filesystem::path& pred_dir, const std::filesystem::path& records_dir,
                          const std::filesystem::path& windows_dir, const ScoreOptions& options);

nlohmann::json to_json(const ScoreReport& report);
std::string to_text(const ScoreReport& report);

}  // namespace ecg::train
