#pragma once
// RFC 4180 CSV: fields separated by commas, optionally double-quoted; inside quotes a
// comma or newline is data and "" is one quote. Hand-written (about 50 lines): Debian
// 12's only CSV library is libcsv, a C callback API last released in 2013, and PTB-XL's
// files need no more than this.
//
//   auto rows = parse_csv("a,\"b, c\"\n1,2\n", "x.csv");  // {{"a", "b, c"}, {"1", "2"}}

#include <string>
#include <vector>

namespace ecg {

struct CsvRow {
  std::vector<std::string> fields;
  int64_t line = 0;  // 1-based line where the row starts
};

/// Parses CSV text; a final newline is optional and blank lines are skipped. Throws
/// ecg::Error "<source>:<line>: unterminated quoted field" or "... unexpected character
/// after a closing quote".
std::vector<CsvRow> parse_csv(const std::string& text, const std::string& source);

/// One field, quoted when it holds a comma, quote, CR or LF ("" doubles a quote).
std::string csv_field(const std::string& s);

/// Fields joined by commas, each through csv_field, ending with "\n".
std::string csv_row(const std::vector<std::string>& fields);

}  // namespace ecg
