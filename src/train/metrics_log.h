#pragma once
// MetricsLog: a run's metrics as metrics.jsonl (one JSON object per row, appended and
// flushed as it comes) and metrics.csv (the same rows, one column per key in order of
// first appearance, rewritten atomically by flush()).
//
//   {"step": 100, "epoch": 0, "split": "train", "time_s": 12.5, "loss": 0.41, "lr": 1e-3}
//   {"step": 100, "epoch": 0, "split": "val", "time_s": 14.0, "val/loss": 0.38, ...}
//
// Opening an existing log for a resumed run keeps only the rows with step <= the
// checkpoint's step, so a run killed after its last checkpoint leaves no duplicates.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace ecg::train {

class MetricsLog {
 public:
  /// `keep_until_step` < 0: start a new log (the files must not exist yet).
  MetricsLog(std::filesystem::path dir, int64_t keep_until_step = -1);

  void append(const nlohmann::json& row);
  /// Rewrites metrics.csv.
  void flush();
  const std::vector<nlohmann::json>& rows() const { return rows_; }

 private:
  std::filesystem::path dir_;
  std::ofstream jsonl_;
  std::vector<nlohmann::json> rows_;
  std::vector<std::string> columns_;
};

/// Reads metrics.jsonl; throws ecg::Error naming the file and line of a bad row.
std::vector<nlohmann::json> read_metrics_jsonl(const std::filesystem::path& file);

}  // namespace ecg::train
