#include "core/strings.h"

#include <gtest/gtest.h>

namespace ecg {

TEST(EditDistance, CountsEditsAndTranspositions) {
  EXPECT_EQ(edit_distance("", ""), 0);
  EXPECT_EQ(edit_distance("abc", ""), 3);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3);
  EXPECT_EQ(edit_distance("widht", "width"), 1);  // one transposition
  EXPECT_EQ(edit_distance("lr", "lr"), 0);
}

TEST(ClosestMatch, SuggestsOnlyPlausibleTypos) {
  const std::vector<std::string> keys = {"width", "depth", "dropout", "num_classes"};
  EXPECT_EQ(closest_match("widht", keys).value(), "width");
  EXPECT_EQ(closest_match("num_clases", keys).value(), "num_classes");
  EXPECT_EQ(closest_match("DEPTH", keys).value(), "depth");
  EXPECT_FALSE(closest_match("learning_rate", keys).has_value());
  EXPECT_FALSE(closest_match("x", {}).has_value());
  EXPECT_EQ(did_you_mean("dropuot", keys), ", did you mean 'dropout'?");
  EXPECT_EQ(did_you_mean("zzzzzz", keys), "");
}

TEST(Strings, SplitJoinLowerQuote) {
  EXPECT_EQ(split("a..b", '.'), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(split("", '.'), (std::vector<std::string>{""}));
  EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(to_lower("AvR"), "avr");
  EXPECT_EQ(shell_quote("model.width=3"), "model.width=3");
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote(""), "''");
}

TEST(Strings, TrimAndStrictNumbers) {
  EXPECT_EQ(trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(trim(" \t "), "");
  EXPECT_EQ(parse_int("42").value(), 42);
  EXPECT_EQ(parse_int("+7").value(), 7);
  EXPECT_EQ(parse_int("-3").value(), -3);
  EXPECT_FALSE(parse_int("4.5").has_value());
  EXPECT_FALSE(parse_int("").has_value());
  EXPECT_FALSE(parse_int("99999999999999999999").has_value());
  EXPECT_DOUBLE_EQ(parse_double("1e-3").value(), 1e-3);
  EXPECT_DOUBLE_EQ(parse_double("-0.25").value(), -0.25);
  EXPECT_FALSE(parse_double("0.5x").has_value());
  EXPECT_FALSE(parse_double(" 1").has_value());
  EXPECT_FALSE(parse_double("1e999").has_value());
}

}  // namespace ecg
