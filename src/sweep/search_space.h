#pragma once
// Search spaces for `ecgtorch sweep`: config paths with distributions.
//
//   optimizer.lr: loguniform(1e-4, 1e-2)     real, log scale
//   loss.terms.1.weight: uniform(0, 1)       real
//   model.width: choice(16, 32, 64)          categorical (values kept as written; a value
//                                            may be a list: choice([8,16], [16,32]))
//   trainer.batch_size: int(8, 64, log)      integer, optionally log scale
//
// `--param PATH=DIST` takes the same text; a SPACE.yaml maps each path to one.
//
//   SearchSpace s = parse_space_file("space.yaml");
//   s.add(parse_param("optimizer.lr=loguniform(1e-4,1e-2)", "--param"));
//   std::string v = s.params[0].format(0.00123);   // "0.00123"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ecg::sweep {

struct Param {
  enum class Kind { kUniform, kLogUniform, kInt, kChoice };
  std::string path;  // config path, as an override takes it
  Kind kind = Kind::kUniform;
  double low = 0, high = 1;  // kUniform, kLogUniform, kInt (inclusive)
  bool log = false;          // kInt on a log scale (kLogUniform is always log)
  std::vector<std::string> choices;

  /// A value in the internal coordinate (for kChoice: the index) as override text.
  std::string format(double value) const;
  /// The internal coordinate's bounds: log10 for log scales, [-0.5, n-0.5] for int...
  /// (choices are categorical and have none).
  double internal_low() const;
  double internal_high() const;
  /// Internal coordinate -> the value in the parameter's own units (int rounded).
  double to_value(double internal) const;
  double to_internal(double value) const;
  /// "loguniform(0.0001, 0.01)"
  std::string describe() const;
};

struct SearchSpace {
  std::vector<Param> params;
  /// Adds or replaces (same path) a parameter.
  void add(Param p);
};

/// "optimizer.lr=loguniform(1e-4,1e-2)"; `where` names the source in errors.
Param parse_param(const std::string& text, const std::string& where);
/// `dist` is the text after '='.
Param parse_distribution(const std::string& path, const std::string& dist, const std::string& where);
/// A YAML mapping path -> distribution text; errors name the file and line.
SearchSpace parse_space_file(const std::filesystem::path& file);

/// Shortest text that reads back to the same double ("0.001", "1e-05", "3").
std::string format_number(double v);

}  // namespace ecg::sweep
