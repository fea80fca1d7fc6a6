#include "monitor/ec57.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "core/error.h"
#include "data/annotations.h"
#include "data/beats.h"
#include "data/wfdb.h"

namespace ecg::monitor {
namespace {

namespace fs = std::filesystem;
constexpr int N = 0, S = 1, V = 2, F = 3, Q = 4, X = 5;  // X: extra (row) / missed (column)
const char* kClasses = "NSVFQ";

std::optional<double> percent(int64_t num, int64_t den) {
  if (den <= 0) return std::nullopt;
  return 100.0 * static_cast<double>(num) / static_cast<double>(den);
}

std::vector<std::pair<int64_t, int>> read_beats(const fs::path& path, int64_t from_sample) {
  std::vector<std::pair<int64_t, int>> out;
  for (const auto& a : data::read_mit_annotations(path)) {
    const char c = data::aami_class(a.code);
    if (c == 0 || a.sample < from_sample) continue;
    out.emplace_back(a.sample, static_cast<int>(std::string(kClasses).find(c)));
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

// The statistics in one order, for averaging and printing.
std::array<std::optional<double>*, 9> fields(Ec57Stats& s) {
  return {&s.qrs_se, &s.qrs_ppv, &s.v_se, &s.v_ppv, &s.v_fpr, &s.s_se, &s.s_ppv, &s.n_sp, &s.accuracy};
}

nlohmann::json stats_json(const Ec57Stats& s) {
  auto v = [](const std::optional<double>& x) { return x ? nlohmann::json(*x) : nlohmann::json(nullptr); };
  return {{"qrs_se", v(s.qrs_se)}, {"qrs_ppv", v(s.qrs_ppv)}, {"v_se", v(s.v_se)},
          {"v_ppv", v(s.v_ppv)},   {"v_fpr", v(s.v_fpr)},     {"s_se", v(s.s_se)},
          {"s_ppv", v(s.s_ppv)},   {"n_sp", v(s.n_sp)},       {"accuracy", v(s.accuracy)}};
}

nlohmann::json counts_json(const Ec57Counts& c) {
  nlohmann::json rows = nlohmann::json::object();
  const char* names[] = {"N", "S", "V", "F", "Q", "-"};
  for (int r = 0; r < 6; ++r) {
    nlohmann::json row = nlohmann::json::object();
    for (int t = 0; t < 6; ++t)
      if (!(r == X && t == X)) row[names[t]] = c[r][t];
    rows[names[r]] = row;
  }
  return rows;
}

std::string fmt(const std::optional<double>& x) {
  if (!x) return "-";
  char b[16];
  std::snprintf(b, sizeof b, "%.2f", *x);
  return b;
}

}  // namespace

Ec57Counts compare_beats(const std::vector<std::pair<int64_t, int>>& reference,
                         const std::vector<std::pair<int64_t, int>>& test, int64_t tolerance) {
  std::vector<int64_t> rt, tt;
  for (const auto& b : reference) rt.push_back(b.first);
  for (const auto& b : test) tt.push_back(b.first);
  const auto match = data::match_beats(rt, tt, tolerance);
  Ec57Counts c{};
  std::vector<bool> used(test.size(), false);
  for (size_t i = 0; i < reference.size(); ++i) {
    const int r = reference[i].second;
    if (match[i] < 0) {
      ++c[r][X];
    } else {
      used[static_cast<size_t>(match[i])] = true;
      ++c[r][test[static_cast<size_t>(match[i])].second];
    }
  }
  for (size_t k = 0; k < test.size(); ++k)
    if (!used[k]) ++c[X][test[k].second];
  return c;
}

Ec57Stats ec57_stats(const Ec57Counts& c) {
  int64_t matched = 0, agree = 0, ref = 0, tst = 0;
  for (int r = 0; r < 6; ++r) {
    for (int t = 0; t < 6; ++t) {
      if (r < X && t < X) matched += c[r][t];
      if (r < X && t < X && r == t) agree += c[r][t];
      if (r < X) ref += c[r][t];
      if (t < X) tst += c[r][t];
    }
  }
  auto row = [&](int r, bool with_missed) {
    int64_t s = 0;
    for (int t = 0; t < (with_missed ? 6 : 5); ++t) s += c[r][t];
    return s;
  };
  Ec57Stats s;
  s.qrs_se = percent(matched, ref);
  s.qrs_ppv = percent(matched, tst);
  s.v_se = percent(c[V][V], row(V, true));
  s.v_ppv = percent(c[V][V], c[N][V] + c[S][V] + c[V][V] + c[X][V]);
  s.v_fpr = percent(c[N][V], row(N, false));
  s.s_se = percent(c[S][S], row(S, true));
  s.s_ppv = percent(c[S][S], c[N][S] + c[S][S] + c[V][S] + c[F][S] + c[X][S]);
  s.n_sp = percent(c[N][N], row(N, false));
  s.accuracy = percent(agree, matched);
  return s;
}

Ec57Report score_beat_directories(const fs::path& pred_dir, const fs::path& truth_dir, const Ec57Options& o) {
  ECG_CHECK(fs::is_directory(pred_dir), "score: --pred ", pred_dir.string(), " is not a directory");
  ECG_CHECK(fs::is_directory(truth_dir), "score: --truth ", truth_dir.string(), " is not a directory");
  ECG_CHECK(o.tolerance_s > 0, "score: the tolerance must be > 0 s");
  std::set<fs::path> preds;
  for (const auto& e : fs::directory_iterator(pred_dir))
    if (e.is_regular_file() && e.path().extension() == "." + o.pred_ext) preds.insert(e.path());
  ECG_CHECK(!preds.empty(), "score: no ." + o.pred_ext + " annotation files in ", pred_dir.string());
  Ec57Report report;
  std::array<std::vector<double>, 9> per_stat;
  for (const auto& p : preds) {
    const std::string rec = p.stem().string();
    const fs::path truth = truth_dir / (rec + "." + o.truth_ext);
    ECG_CHECK(fs::exists(truth), "score: ", p.string(), " has no reference annotations ", truth.string());
    const double fs_hz = data::read_wfdb_header(truth_dir / (rec + ".hea")).fs_hz;
    const auto from = static_cast<int64_t>(std::ceil(o.start_s * fs_hz));
    Ec57Record r;
    r.record = rec;
    r.counts = compare_beats(read_beats(truth, from), read_beats(p, from),
                             static_cast<int64_t>(std::llround(o.tolerance_s * fs_hz)));
    r.stats = ec57_stats(r.counts);
    for (int a = 0; a < 6; ++a)
      for (int b = 0; b < 6; ++b) report.gross[a][b] += r.counts[a][b];
    const auto st = fields(r.stats);
    for (size_t k = 0; k < st.size(); ++k)
      if (*st[k]) per_stat[k].push_back(**st[k]);
    report.records.push_back(r);
  }
  report.gross_stats = ec57_stats(report.gross);
  auto mean = [&](size_t k) -> std::optional<double> {
    if (per_stat[k].empty()) return std::nullopt;
    double s = 0;
    for (double v : per_stat[k]) s += v;
    return s / static_cast<double>(per_stat[k].size());
  };
  const auto avg = fields(report.average);
  for (size_t k = 0; k < avg.size(); ++k) *avg[k] = mean(k);
  return report;
}

nlohmann::json to_json(const Ec57Report& report) {
  nlohmann::json recs = nlohmann::json::array();
  for (const auto& r : report.records)
    recs.push_back({{"record", r.record}, {"confusion", counts_json(r.counts)}, {"stats", stats_json(r.stats)}});
  return {{"records", recs},
          {"gross", {{"confusion", counts_json(report.gross)}, {"stats", stats_json(report.gross_stats)}}},
          {"average", stats_json(report.average)}};
}

std::string to_text(const Ec57Report& report) {
  std::string out = "record   QRS Se  QRS +P    V Se    V +P   V FPR    S Se    S +P    N Sp     acc\n";
  auto line = [&](const std::string& name, const Ec57Stats& s) {
    char b[200];
    std::snprintf(b, sizeof b, "%-8s %6s  %6s  %6s  %6s  %6s  %6s  %6s  %6s  %6s\n", name.c_str(),
                  fmt(s.qrs_se).c_str(), fmt(s.qrs_ppv).c_str(), fmt(s.v_se).c_str(), fmt(s.v_ppv).c_str(),
                  fmt(s.v_fpr).c_str(), fmt(s.s_se).c_str(), fmt(s.s_ppv).c_str(), fmt(s.n_sp).c_str(),
                  fmt(s.accuracy).c_str());
    out += b;
  };
  for (const auto& r : report.records) line(r.record, r.stats);
  line("gross", report.gross_stats);
  line("average", report.average);
  out +=
      "\ngross confusion (rows reference, columns test; '-' extra / missed):\n       N      S      V      F      Q     "
      " -\n";
  const char* names[] = {"N", "S", "V", "F", "Q", "-"};
  for (int r = 0; r < 6; ++r) {
    char b[120];
    std::snprintf(b, sizeof b, "%s %6lld %6lld %6lld %6lld %6lld %6s\n", names[r],
                  static_cast<long long>(report.gross[r][0]), static_cast<long long>(report.gross[r][1]),
                  static_cast<long long>(report.gross[r][2]), static_cast<long long>(report.gross[r][3]),
                  static_cast<long long>(report.gross[r][4]), r == 5 ? "" : std::to_string(report.gross[r][5]).c_str());
    out += b;
  }
  return out;
}

}  // namespace ecg::monitor
