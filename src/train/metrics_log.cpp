#include "train/metrics_log.h"

#include "core/csv.h"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "core/atomic_file.h"
#include "core/error.h"

namespace fs = std::filesystem;

namespace ecg::train {
namespace {

std::string json_csv_field(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return ecg::csv_field(v.get<std::string>());
  if (v.is_number_float()) {
    std::ostringstream o;
    o << std::setprecision(9) << v.get<double>();
    return o.str();
  }
  return v.dump();
}

}  // namespace

std::vector<nlohmann::json> read_metrics_jsonl(const fs::path& file) {
  std::vector<nlohmann::json> rows;
  std::istringstream in(read_file(file));
  std::string line;
  int64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    try {
      rows.push_back(nlohmann::json::parse(line));
    } catch (const std::exception& e) {
      // A run killed mid-write leaves at most a partial last line; anything else is damage.
      if (in.peek() == EOF) break;
      throw Error(str(file.string(), ":", n, ": not a JSON object: ", e.what()));
    }
  }
  return rows;
}

MetricsLog::MetricsLog(fs::path dir, int64_t keep_until_step) : dir_(std::move(dir)) {
  const fs::path jsonl = dir_ / "metrics.jsonl";
  if (keep_until_step >= 0 && fs::exists(jsonl)) {
    for (auto& r : read_metrics_jsonl(jsonl)) {
      if (r.value("step", int64_t{0}) <= keep_until_step) rows_.push_back(std::move(r));
    }
    std::string text;
    for (const auto& r : rows_) text += r.dump() + "\n";
    write_file_atomic(jsonl, text);
  } else {
    ECG_CHECK(!fs::exists(jsonl), jsonl.string(), ": already exists (a run never writes over another)");
  }
  for (const auto& r : rows_) {
    for (const auto& kv : r.items()) {
      if (std::find(columns_.begin(), columns_.end(), kv.key()) == columns_.end()) columns_.push_back(kv.key());
    }
  }
  jsonl_.open(jsonl, std::ios::app);
  ECG_CHECK(jsonl_.good(), jsonl.string(), ": cannot open for writing");
}

void MetricsLog::append(const nlohmann::json& row) {
  jsonl_ << row.dump() << '\n';
  jsonl_.flush();
  ECG_CHECK(jsonl_.good(), (dir_ / "metrics.jsonl").string(), ": write failed (disk full?)");
  for (const auto& kv : row.items()) {
    if (std::find(columns_.begin(), columns_.end(), kv.key()) == columns_.end()) columns_.push_back(kv.key());
  }
  rows_.push_back(row);
}

void MetricsLog::flush() {
  // step, epoch, split and time first; the rest in order of first appearance.
  std::vector<std::string> cols;
  for (const char* k : {"step", "epoch", "split", "time_s"}) {
    if (std::find(columns_.begin(), columns_.end(), k) != columns_.end()) cols.push_back(k);
  }
  for (const auto& c : columns_) {
    if (std::find(cols.begin(), cols.end(), c) == cols.end()) cols.push_back(c);
  }
  columns_ = cols;
  std::string text;
  for (size_t i = 0; i < columns_.size(); ++i) text += (i ? "," : "") + json_csv_field(columns_[i]);
  text += '\n';
  for (const auto& r : rows_) {
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (i) text += ',';
      const auto it = r.find(columns_[i]);
      if (it != r.end()) text += json_csv_field(*it);
    }
    text += '\n';
  }
  write_file_atomic(dir_ / "metrics.csv", text);
}

}  // namespace ecg::train
