#include "core/options_binder.h"

#include <charconv>
#include <cmath>

namespace ecg::config::detail {

std::string format_double(double v) {
  if (std::isnan(v)) return ".nan";
  if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof(buf), v);
  std::string s(buf, res.ptr);
  // Keep it a float in YAML's eyes when it has no '.', 'e' or 'n': 1 -> 1.0.
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

}  // namespace ecg::config::detail
