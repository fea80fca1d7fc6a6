#include "core/csv.h"

#include "core/error.h"

namespace ecg {

std::vector<CsvRow> parse_csv(const std::string& text, const std::string& source) {
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  int64_t line = 1;
  row.line = 1;
  bool in_quotes = false, was_quoted = false, row_has_content = false;
  auto end_field = [&] {
    row.fields.push_back(std::move(field));
    field.clear();
    was_quoted = false;
  };
  auto end_row = [&] {
    end_field();
    if (row_has_content || row.fields.size() > 1) rows.push_back(std::move(row));
    row = CsvRow();
    row.line = line;
    row_has_content = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        in_quotes = false;
        was_quoted = true;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty() && !was_quoted) {
      in_quotes = true;
      row_has_content = true;
    } else if (c == ',') {
      end_field();
      row_has_content = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++line;
      end_row();
    } else {
      ECG_CHECK(!was_quoted, source, ":", line, ": unexpected character '", c, "' after a closing quote");
      field += c;
      row_has_content = true;
    }
  }
  ECG_CHECK(!in_quotes, source, ":", row.line, ": unterminated quoted field");
  if (row_has_content || !field.empty() || !row.fields.empty()) end_row();
  return rows;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_row(const std::vector<std::string>& fields) {
  std::string row;
  for (size_t i = 0; i < fields.size(); ++i) row += (i == 0 ? "" : ",") + csv_field(fields[i]);
  return row + "\n";
}

}  // namespace ecg
