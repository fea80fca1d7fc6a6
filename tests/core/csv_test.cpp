#include "core/csv.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace ecg {
namespace {

std::vector<std::vector<std::string>> fields(const std::vector<CsvRow>& rows) {
  std::vector<std::vector<std::string>> out;
  for (const auto& r : rows) out.push_back(r.fields);
  return out;
}

TEST(Csv, QuotesCommasNewlinesAndEmptyFields) {
  const auto rows = parse_csv("a,\"b, c\",\n1,\"say \"\"hi\"\"\",\"x\ny\"\r\n\n,,\nlast", "t.csv");
  EXPECT_EQ(fields(rows), (std::vector<std::vector<std::string>>{
                              {"a", "b, c", ""}, {"1", "say \"hi\"", "x\ny"}, {"", "", ""}, {"last"}}));
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_EQ(rows[2].line, 5);  // the quoted newline moved the line count on
  EXPECT_TRUE(parse_csv("", "e.csv").empty());
}

TEST(Csv, Errors) {
  EXPECT_ERROR_HAS(parse_csv("a,b\n1,\"open\n", "u.csv"), "u.csv:2: unterminated quoted field");
  EXPECT_ERROR_HAS(parse_csv("a,\"b\"c\n", "q.csv"), "q.csv:1: unexpected character 'c' after a closing quote");
}

}  // namespace
}  // namespace ecg
