#pragma once
// Small string helpers shared by the config system and the CLI.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ecg {

/// Optimal-string-alignment edit distance (insert, delete, substitute, swap neighbours).
int64_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` by edit_distance, if it is close enough to be a
/// plausible typo (distance <= max(1, len/3), or `word` is a case-insensitive match);
/// ties keep the first candidate. Example: closest_match("widht", {"width"}) == "width".
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

/// ", did you mean 'x'?" for the closest match, or "" when there is none.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

/// Joins with a separator: join({"a","b"}, ", ") == "a, b".
std::string join(const std::vector<std::string>& parts, std::string_view sep);

/// Splits on a single character; keeps empty parts: split("a..b", '.') == {"a","","b"}.
std::vector<std::string> split(std::string_view s, char sep);

/// Without leading and trailing spaces, tabs, CR and LF.
std::string trim(std::string_view s);

/// The whole text as a number, or nullopt (empty text, trailing characters, out of
/// range). parse_double accepts what strtod does ("1e-3", "inf", "nan").
std::optional<int64_t> parse_int(std::string_view s);
std::optional<double> parse_double(std::string_view s);

/// ASCII lower case.
std::string to_lower(std::string_view s);

/// POSIX shell quoting of one word, so that a printed command line can be pasted back:
/// shell_quote("a b") == "'a b'", shell_quote("x") == "x".
std::string shell_quote(std::string_view word);

}  // namespace ecg
