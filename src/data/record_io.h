#pragma once
// Reading any supported record file, and summaries for `ecgtorch data show`.
//
//   Record r = read_record("ptbxl/records500/00000/00001_hr");   // WFDB (.hea, .dat, .mat or no extension)
//   Record k = read_record("train/123/123.csv");                 // Kaggle CSV

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/record.h"

namespace ecg::data {

/// WFDB for ".hea", ".dat", ".mat" or no extension (the header beside it is read);
/// Kaggle CSV for ".csv". Anything else throws ecg::Error naming the file.
Record read_record(const std::filesystem::path& path);

/// Record files under `dir` (recursively): WFDB headers (.hea) and Kaggle CSVs, sorted.
/// Throws ecg::Error starting with `what` when dir is not a directory or holds none.
std::vector<std::filesystem::path> find_record_files(const std::filesystem::path& dir, const std::string& what);

/// Converts a record to "csv" (a Kaggle CSV: `out` is the .csv file, or a directory that
/// receives <id>.csv) or "wfdb" (`out` is a directory that receives <id>.hea and .dat).
/// WFDB sources keep their gains, baselines and format (16 or 212; others become 16), so
/// WFDB -> WFDB is exact; CSV sources are written at 1000 ADC units per mV (1 uV).
/// `format` (16 or 212) overrides the WFDB format. Returns the files written.
///
/// With `options.fs_hz` > 0 the record is first resampled to that rate (resample_poly;
/// integer rates). `options.annotations` (extensions such as "atr", wfdb only) copies the
/// source's MIT annotation files <base>.<ext> beside the output, each sample index moved to
/// the new rate (rounded), so a record and its reference beats change rate together; a
/// listed file that is missing is an error naming it.
struct ConvertOptions {
  std::optional<int64_t> format;
  double fs_hz = 0;
  std::vector<std::string> annotations;
};
std::vector<std::filesystem::path> convert_record(const std::filesystem::path& in, const std::string& to,
                                                  const std::filesystem::path& out, const ConvertOptions& options);
inline std::vector<std::filesystem::path> convert_record(const std::filesystem::path& in, const std::string& to,
                                                         const std::filesystem::path& out,
                                                         std::optional<int64_t> format = {}) {
  ConvertOptions o;
  o.format = format;
  return convert_record(in, to, out, o);
}

struct LeadStats {
  std::string name;
  std::string units;
  int64_t n = 0;  // finite samples
  double mean = 0, std = 0, min = 0, max = 0;
};

/// Per-lead statistics over finite samples (population std).
std::vector<LeadStats> lead_stats(const Record& record);

/// Header facts plus lead_stats, as JSON and as aligned text.
nlohmann::json describe_json(const Record& record);
std::string describe_text(const Record& record);

}  // namespace ecg::data
