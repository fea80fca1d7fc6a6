#pragma once
// Beat-by-beat comparison as ANSI/AAMI EC57 (and WFDB's bxb) do it. Reference and test
// beats are matched one to one within a tolerance (150 ms), closest pairs first
// (data::match_beats); each beat is put in its AAMI class (N, S, V, F, Q; data::aami_class).
// The confusion matrix has reference classes as rows and test classes as columns, plus a
// row "-" of test beats with no reference beat (extra) and a column "-" of reference beats
// with no test beat (missed).
// Statistics (percent; null when the denominator is 0):
//   QRS Se = matched / reference beats;     QRS +P = matched / test beats;
//   V Se   = Vv / (V row, missed included);
//   V +P   = Vv / (Nv + Sv + Vv + extra v): fusion (F) and unclassifiable (Q) reference
//            beats labelled V are not counted as false positives (EC57);
//   V FPR  = Nv / (matched reference N beats);
//   S Se   = Ss / (S row, missed included);  S +P = Ss / (Ns + Ss + Vs + Fs + extra s);
//   N Sp   = Nn / (matched reference N beats): normal beats that raise no alarm;
//   accuracy = matched beats whose class agrees / matched beats.
// Gross statistics pool the counts of every record; average statistics are the mean over
// the records where each is defined. Beats before start_s are left out (EC57 leaves out a
// 5 min learning period for some detectors: --start-s 300).

#include <nlohmann/json.hpp>

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ecg::monitor {

struct Ec57Options {
  double tolerance_s = 0.15;
  double start_s = 0;
  std::string pred_ext = "ecgtorch";
  std::string truth_ext = "atr";
};

/// [reference N S V F Q extra][test N S V F Q missed]
using Ec57Counts = std::array<std::array<int64_t, 6>, 6>;

struct Ec57Stats {
  std::optional<double> qrs_se, qrs_ppv, v_se, v_ppv, v_fpr, s_se, s_ppv, n_sp, accuracy;
};

struct Ec57Record {
  std::string record;
  Ec57Counts counts{};
  Ec57Stats stats;
};

struct Ec57Report {
  std::vector<Ec57Record> records;
  Ec57Counts gross{};
  Ec57Stats gross_stats, average;
};

/// Annotated beats (sample, AAMI class index 0..4) against reference ones.
Ec57Counts compare_beats(const std::vector<std::pair<int64_t, int>>& reference,
                         const std::vector<std::pair<int64_t, int>>& test, int64_t tolerance_samples);
Ec57Stats ec57_stats(const Ec57Counts& c);

/// Every <record>.<pred_ext> in pred_dir against <record>.<truth_ext> in truth_dir (whose
/// <record>.hea gives the rate). Throws ecg::Error naming the file when one is missing or
/// bad, or when pred_dir holds no predictions.
Ec57Report score_beat_directories(const std::filesystem::path& pred_dir, const std::filesystem::path& truth_dir,
                                  const Ec57Options& options);

nlohmann::json to_json(const Ec57Report& report);
std::string to_text(const Ec57Report& report);

}  // namespace ecg::monitor
