#include "data/kaggle_csv.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/atomic_file.h"
#include "core/csv.h"
#include "core/error.h"
#include "core/strings.h"

namespace fs = std::filesystem;

namespace ecg::data {
Record read_kaggle_csv(const fs::path& path, double fs_hz) {
  const std::string text = read_file(path);
  std::istringstream in(text);
  std::string line;
  int64_t line_no = 0;
  Record r;
  r.id = path.stem().string();
  ECG_CHECK(std::getline(in, line), path.string(), ": empty file (expected a header of lead names)");
  ++line_no;
  for (auto& name : split(line, ',')) {
    name = trim(name);
    ECG_CHECK(!name.empty(), path.string(), ":1: empty column name");
    r.leads.push_back(name);
  }
  const size_t cols = r.leads.size();
  std::vector<float> values;
  while (std::getline(in, line)) {
    ++line_no;
    if (trim(line).empty()) continue;
    const auto cells = split(line, ',');
    ECG_CHECK(cells.size() == cols, path.string(), ":", line_no, ": expected ", cols, " columns, got ", cells.size());
    for (size_t c = 0; c < cols; ++c) {
      const std::string cell = trim(cells[c]);
      if (cell.empty() || to_lower(cell) == "nan") {
        values.push_back(NAN);
        continue;
      }
      const auto v = parse_double(cell);
      ECG_CHECK(v.has_value(), path.string(), ":", line_no, ": column ", r.leads[c], ": expected a number, got '", cell,
                "'");
      values.push_back(static_cast<float>(*v));
    }
  }
  const int64_t rows = static_cast<int64_t>(values.size() / std::max<size_t>(cols, 1));
  ECG_CHECK(rows > 0, path.string(), ": no samples after the header");
  r.signal = torch::from_blob(values.data(), {rows, static_cast<int64_t>(cols)}, torch::kFloat32).t().contiguous();
  r.fs_hz = fs_hz > 0 ? fs_hz : static_cast<double>(rows) / 10.0;
  r.units.assign(cols, "mV");
  return r;
}

void write_kaggle_csv(const Record& record, const fs::path& path) {
  ECG_CHECK(record.signal.defined() && record.signal.dim() == 2 && record.signal.size(0) == record.num_leads(),
            "write_kaggle_csv: record ", record.id, ": signal must be [", record.num_leads(), ", samples]");
  const auto sig = record.signal.to(torch::kFloat32).t().contiguous();
  const float* p = sig.data_ptr<float>();
  const int64_t rows = sig.size(0), cols = sig.size(1);
  std::string out = join(record.leads, ",") + "\n";
  out.reserve(out.size() + static_cast<size_t>(rows * cols * 11));
  char buf[32];
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t c = 0; c < cols; ++c) {
      if (c > 0) out += ',';
      const float v = p[i * cols + c];
      if (!std::isnan(v)) {
        std::snprintf(buf, sizeof(buf), "%.9g", static_cast<double>(v));
        out += buf;
      }
    }
    out += '\n';
  }
  write_file_atomic(path, out);
}

std::vector<KaggleIndexEntry> read_kaggle_index(const fs::path& path) {
  const auto rows = parse_csv(read_file(path), path.string());
  ECG_CHECK(!rows.empty(), path.string(), ": empty file (expected a header id,fs,sig_len)");
  const auto& head = rows.front().fields;
  auto column = [&](const char* name) {
    const auto it = std::find(head.begin(), head.end(), name);
    ECG_CHECK(it != head.end(), path.string(), ":1: missing column '", name, "'");
    return static_cast<size_t>(it - head.begin());
  };
  const size_t c_id = column("id"), c_fs = column("fs"), c_len = column("sig_len");
  std::vector<KaggleIndexEntry> out;
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& f = rows[i].fields;
    const std::string where = str(path.string(), ":", rows[i].line);
    ECG_CHECK(f.size() == head.size(), where, ": expected ", head.size(), " fields, got ", f.size());
    KaggleIndexEntry e;
    e.id = trim(f[c_id]);
    ECG_CHECK(!e.id.empty(), where, ": empty id");
    const auto fs_hz = parse_double(trim(f[c_fs]));
    const auto sig_len = parse_int(trim(f[c_len]));
    ECG_CHECK(fs_hz && sig_len, where, ": fs and sig_len must be numbers, got '", f[c_fs], "' and '", f[c_len], "'");
    ECG_CHECK(*fs_hz > 0, where, ": fs: expected a positive number, got '", f[c_fs], "'");
    ECG_CHECK(*sig_len > 0, where, ": sig_len: expected a positive integer, got '", f[c_len], "'");
    e.fs_hz = *fs_hz;
    e.sig_len = *sig_len;
    out.push_back(e);
  }
  return out;
}

void write_kaggle_index(const std::vector<KaggleIndexEntry>& entries, const fs::path& path) {
  std::ostringstream out;
  out << "id,fs,sig_len\n";
  for (const auto& e : entries) out << e.id << "," << e.fs_hz << "," << e.sig_len << "\n";
  write_file_atomic(path, out.str());
}

Record read_kaggle_record(const fs::path& root, const std::string& id) {
  for (const auto& e : read_kaggle_index(root / "train.csv")) {
    if (e.id != id) continue;
    const fs::path file = root / "train" / id / (id + ".csv");
    Record r = read_kaggle_csv(file, e.fs_hz);
    ECG_CHECK(r.num_samples() == e.sig_len, file.string(), ": ", r.num_samples(), " rows but train.csv says sig_len ",
              e.sig_len);
    return r;
  }
  throw Error(str((root / "train.csv").string(), ": no record with id '", id, "'"));
}

}  // namespace ecg::data
