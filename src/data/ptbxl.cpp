#include "data/ptbxl.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/atomic_file.h"
#include "core/csv.h"
#include "core/error.h"
#include "core/strings.h"

namespace fs = std::filesystem;

namespace ecg::data {
namespace {

struct Table {
  std::string source;
  std::vector<std::string> header;
  std::vector<CsvRow> rows;
  size_t column(const std::string& name) const {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return i;
    }
    throw Error(str(source, ":1: missing column '", name, "'"));
  }
};

Table read_table(const fs::path& path) {
  Table t;
  t.source = path.string();
  auto rows = parse_csv(read_file(path), t.source);
  ECG_CHECK(!rows.empty(), t.source, ": empty file");
  t.header = rows.front().fields;
  rows.erase(rows.begin());
  for (const auto& r : rows) {
    ECG_CHECK(r.fields.size() == t.header.size(), t.source, ":", r.line, ": expected ", t.header.size(),
              " fields, got ", r.fields.size());
  }
  t.rows = std::move(rows);
  return t;
}

double number(const std::string& s, const std::string& where, const char* what) {
  if (s.empty()) return std::nan("");
  const auto v = parse_double(s);
  ECG_CHECK(v.has_value(), where, ": ", what, ": expected a number, got '", s, "'");
  return *v;
}

bool flag(const std::string& s, const std::string& where, const char* what) {
  const double v = number(s, where, what);
  return !std::isnan(v) && v != 0;
}

std::vector<std::string> sorted_unique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace

std::map<std::string, double> parse_scp_codes(const std::string& text, const std::string& where) {
  std::map<std::string, double> out;
  size_t i = 0;
  auto skip = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  };
  auto expect = [&](char c) {
    skip();
    ECG_CHECK(i < text.size() && text[i] == c, where, ": scp_codes: expected '", c, "' at character ", i + 1, " of '",
              text, "'");
    ++i;
  };
  expect('{');
  skip();
  if (i < text.size() && text[i] == '}') return out;
  while (true) {
    expect('\'');
    const size_t end = text.find('\'', i);
    ECG_CHECK(end != std::string::npos, where, ": scp_codes: unterminated code in '", text, "'");
    const std::string code = text.substr(i, end - i);
    i = end + 1;
    expect(':');
    skip();
    const size_t num_end = text.find_first_of(",}", i);
    ECG_CHECK(num_end != std::string::npos, where, ": scp_codes: unterminated value in '", text, "'");
    std::string value = text.substr(i, num_end - i);
    while (!value.empty() && value.back() == ' ') value.pop_back();
    const double v = number(value, where, "scp_codes likelihood");
    ECG_CHECK(!std::isnan(v), where, ": scp_codes: missing likelihood for '", code, "'");
    out[code] = v;
    i = num_end;
    skip();
    if (text[i] == '}') break;
    ++i;  // ','
  }
  return out;
}

const PtbxlRecord& PtbxlDatabase::at(int64_t ecg_id) const {
  for (const auto& r : records) {
    if (r.ecg_id == ecg_id) return r;
  }
  throw Error(str("PTB-XL: no record with ecg_id ", ecg_id));
}

std::vector<std::string> PtbxlDatabase::superclass_names() const {
  std::set<std::string> s;
  for (const auto& [code, st] : statements) {
    if (st.diagnostic && !st.diagnostic_class.empty()) s.insert(st.diagnostic_class);
  }
  return {s.begin(), s.end()};
}

PtbxlDatabase read_ptbxl(const fs::path& database_csv, const fs::path& statements_csv) {
  PtbxlDatabase db;
  const Table st = read_table(statements_csv);
  const size_t c_desc = st.column("description"), c_diag = st.column("diagnostic"), c_form = st.column("form"),
               c_rhythm = st.column("rhythm"), c_class = st.column("diagnostic_class"),
               c_sub = st.column("diagnostic_subclass");
  for (const auto& r : st.rows) {
    const std::string where = str(st.source, ":", r.line);
    ScpStatement s;
    s.code = r.fields[0];
    ECG_CHECK(!s.code.empty(), where, ": empty SCP code");
    s.description = r.fields[c_desc];
    s.diagnostic = flag(r.fields[c_diag], where, "diagnostic");
    s.form = flag(r.fields[c_form], where, "form");
    s.rhythm = flag(r.fields[c_rhythm], where, "rhythm");
    s.diagnostic_class = r.fields[c_class];
    s.diagnostic_subclass = r.fields[c_sub];
    db.statements[s.code] = s;
  }
  const Table t = read_table(database_csv);
  const size_t c_id = t.column("ecg_id"), c_patient = t.column("patient_id"), c_age = t.column("age"),
               c_sex = t.column("sex"), c_codes = t.column("scp_codes"), c_fold = t.column("strat_fold"),
               c_lr = t.column("filename_lr"), c_hr = t.column("filename_hr");
  for (const auto& r : t.rows) {
    const std::string where = str(t.source, ":", r.line);
    PtbxlRecord rec;
    const double id = number(r.fields[c_id], where, "ecg_id");
    ECG_CHECK(!std::isnan(id), where, ": ecg_id is empty");
    rec.ecg_id = static_cast<int64_t>(id);
    const double patient = number(r.fields[c_patient], where, "patient_id");
    rec.patient_id = std::isnan(patient) ? -1 : static_cast<int64_t>(patient);
    rec.age = number(r.fields[c_age], where, "age");
    const double sex = number(r.fields[c_sex], where, "sex");
    rec.sex = std::isnan(sex) ? -1 : static_cast<int>(sex);
    const double fold = number(r.fields[c_fold], where, "strat_fold");
    ECG_CHECK(!std::isnan(fold) && fold >= 1 && fold <= 10, where, ": strat_fold must be 1..10, got '",
              r.fields[c_fold], "'");
    rec.strat_fold = static_cast<int>(fold);
    rec.filename_lr = r.fields[c_lr];
    rec.filename_hr = r.fields[c_hr];
    rec.scp_codes = parse_scp_codes(r.fields[c_codes], where);
    for (const auto& [code, likelihood] : rec.scp_codes) {
      auto it = db.statements.find(code);
      ECG_CHECK(it != db.statements.end(), where, ": SCP code '", code, "' is not in ", st.source);
      const ScpStatement& s = it->second;
      if (s.diagnostic) {
        if (!s.diagnostic_class.empty()) rec.superclasses.push_back(s.diagnostic_class);
        if (!s.diagnostic_subclass.empty()) rec.subclasses.push_back(s.diagnostic_subclass);
      }
      if (s.form) rec.form.push_back(code);
      if (s.rhythm) rec.rhythm.push_back(code);
    }
    rec.superclasses = sorted_unique(rec.superclasses);
    rec.subclasses = sorted_unique(rec.subclasses);
    rec.form = sorted_unique(rec.form);
    rec.rhythm = sorted_unique(rec.rhythm);
    db.records.push_back(std::move(rec));
  }
  return db;
}

}  // namespace ecg::data
