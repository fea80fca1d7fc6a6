#include "sweep/search_space.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/strings.h"

namespace ecg::sweep {
namespace {

/// Splits at commas outside brackets and quotes: "[1,2], 3" -> {"[1,2]", "3"}.
std::vector<std::string> split_top_level(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  char quote = 0;
  for (char c : s) {
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{' || c == '(') {
      ++depth;
    } else if (c == ']' || c == '}' || c == ')') {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.push_back(trim(cur));
      cur.clear();
      continue;
    }
    cur += c;
  }
  out.push_back(trim(cur));
  return out;
}

}  // namespace

std::string format_number(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

double Param::internal_low() const {
  switch (kind) {
    case Kind::kUniform:
      return low;
    case Kind::kLogUniform:
      return std::log10(low);
    case Kind::kInt:
      return log ? std::log10(low - 0.5 > 0 ? low - 0.5 : low) : low - 0.5;
    case Kind::kChoice:
      return -0.5;
  }
  return 0;
}

double Param::internal_high() const {
  switch (kind) {
    case Kind::kUniform:
      return high;
    case Kind::kLogUniform:
      return std::log10(high);
    case Kind::kInt:
      return log ? std::log10(high + 0.5) : high + 0.5;
    case Kind::kChoice:
      return static_cast<double>(choices.size()) - 0.5;
  }
  return 0;
}

double Param::to_value(double internal) const {
  switch (kind) {
    case Kind::kUniform:
      return std::clamp(internal, low, high);
    case Kind::kLogUniform:
      return std::clamp(std::pow(10.0, internal), low, high);
    case Kind::kInt:
      return std::clamp(std::round(log ? std::pow(10.0, internal) : internal), low, high);
    case Kind::kChoice:
      return std::clamp(std::round(internal), 0.0, static_cast<double>(choices.size()) - 1);
  }
  return internal;
}

double Param::to_internal(double value) const {
  return kind == Kind::kLogUniform || (kind == Kind::kInt && log) ? std::log10(value) : value;
}

std::string Param::format(double value) const {
  switch (kind) {
    case Kind::kChoice:
      return choices.at(static_cast<size_t>(to_value(value)));
    case Kind::kInt:
      return std::to_string(static_cast<int64_t>(value));
    default: {
      // 6 significant digits: readable overrides, and plenty for a hyperparameter.
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.6g", value);
      return buf;
    }
  }
}

std::string Param::describe() const {
  switch (kind) {
    case Kind::kUniform:
      return str("uniform(", format_number(low), ", ", format_number(high), ")");
    case Kind::kLogUniform:
      return str("loguniform(", format_number(low), ", ", format_number(high), ")");
    case Kind::kInt:
      return str("int(", static_cast<int64_t>(low), ", ", static_cast<int64_t>(high), log ? ", log)" : ")");
    case Kind::kChoice:
      return "choice(" + join(choices, ", ") + ")";
  }
  return "";
}

void SearchSpace::add(Param p) {
  for (auto& q : params) {
    if (q.path == p.path) {
      q = std::move(p);
      return;
    }
  }
  params.push_back(std::move(p));
}

Param parse_distribution(const std::string& path, const std::string& dist_text, const std::string& where) {
  const std::string dist = trim(dist_text);
  const std::string w = str(where, ": '", path, "'");
  ECG_CHECK(!path.empty() && path.find_first_of(" =") == std::string::npos, where, ": bad parameter path '", path, "'");
  const auto open = dist.find('(');
  ECG_CHECK(open != std::string::npos && dist.back() == ')', w,
            ": expected uniform(a, b), loguniform(a, b), int(a, b[, log]) or choice(v1, v2, ...), got '", dist, "'");
  const std::string kind = trim(dist.substr(0, open));
  std::vector<std::string> args;
  for (const auto& a : split_top_level(dist.substr(open + 1, dist.size() - open - 2))) args.push_back(a);
  Param p;
  p.path = path;
  auto number = [&](const std::string& s) {
    const auto v = parse_double(s);
    ECG_CHECK(v && std::isfinite(*v), w, ": expected a number, got '", s, "'");
    return *v;
  };
  if (kind == "uniform" || kind == "loguniform") {
    ECG_CHECK(args.size() == 2, w, ": ", kind, " takes 2 arguments (low, high), got ", args.size());
    p.kind = kind == "uniform" ? Param::Kind::kUniform : Param::Kind::kLogUniform;
    p.low = number(args[0]);
    p.high = number(args[1]);
    ECG_CHECK(p.low < p.high, w, ": low ", args[0], " must be below high ", args[1]);
    ECG_CHECK(kind == "uniform" || p.low > 0, w, ": loguniform needs low > 0, got ", args[0]);
  } else if (kind == "int") {
    ECG_CHECK(args.size() == 2 || (args.size() == 3 && args[2] == "log"), w,
              ": int takes (low, high) or (low, high, log)");
    p.kind = Param::Kind::kInt;
    p.low = number(args[0]);
    p.high = number(args[1]);
    ECG_CHECK(p.low == std::round(p.low) && p.high == std::round(p.high), w, ": int bounds must be whole numbers");
    ECG_CHECK(p.low < p.high, w, ": low ", args[0], " must be below high ", args[1]);
    p.log = args.size() == 3;
    ECG_CHECK(!p.log || p.low >= 1, w, ": int(..., log) needs low >= 1");
  } else if (kind == "choice") {
    ECG_CHECK(!args.empty() && !(args.size() == 1 && args[0].empty()), w, ": choice needs at least one value");
    p.kind = Param::Kind::kChoice;
    p.choices = args;
  } else {
    throw Error(str(w, ": unknown distribution '", kind, "' (expected uniform, loguniform, int or choice)"));
  }
  return p;
}

Param parse_param(const std::string& text, const std::string& where) {
  const auto eq = text.find('=');
  ECG_CHECK(eq != std::string::npos, where,
            ": expected PATH=DISTRIBUTION, e.g. optimizer.lr=loguniform(1e-4,1e-2), got '", text, "'");
  return parse_distribution(trim(text.substr(0, eq)), text.substr(eq + 1), where);
}

SearchSpace parse_space_file(const std::filesystem::path& file) {
  const std::string text = read_file(file);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(str(file.string(), ":", e.mark.line + 1, ": invalid YAML: ", e.msg));
  }
  ECG_CHECK(root.IsMap(), file.string(), ": expected a mapping 'path: distribution' per line");
  SearchSpace s;
  for (const auto& kv : root) {
    const std::string where = str(file.string(), ":", kv.first.Mark().line + 1);
    ECG_CHECK(kv.second.IsScalar(), where, ": '", kv.first.as<std::string>(),
              "': expected a distribution such as uniform(0, 1)");
    s.add(parse_distribution(kv.first.as<std::string>(), kv.second.as<std::string>(), where));
  }
  ECG_CHECK(!s.params.empty(), file.string(), ": the search space is empty");
  return s;
}

}  // namespace ecg::sweep
