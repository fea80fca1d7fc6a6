#include "train/scoring.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/kaggle_csv.h"
#include "data/record_io.h"
#include "data/wfdb.h"
#include "losses/snr_metrics.h"

namespace fs = std::filesystem;

namespace ecg::train {
namespace {

std::vector<double> row(const data::Record& r, int64_t lead) {
  const auto t = r.signal[lead].to(torch::kFloat64).contiguous();
  return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
}

// Lead `name` of a prediction, or an empty vector when absent.
std::vector<double> pred_lead(const data::Record& pred, const std::string& name) {
  const int64_t i = pred.lead_index(name);
  return i < 0 ? std::vector<double>() : row(pred, i);
}

double db(double ratio) {
  return 10.0 * std::log10(ratio);
}

}  // namespace

std::map<std::string, fs::path> find_records(const fs::path& dir) {
  ECG_CHECK(fs::is_directory(dir), dir.string(), ": not a directory");
  std::map<std::string, fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const auto ext = e.path().extension().string();
    const auto stem = e.path().stem().string();
    const bool csv = ext == ".csv" && stem != "train" && stem != "test" && stem != "submission";
    if (ext != ".hea" && !csv) continue;
    auto [it, inserted] = out.emplace(stem, e.path());
    ECG_CHECK(inserted, "record '", stem, "' appears twice: ", it->second.string(), " and ", e.path().string());
  }
  return out;
}

data::Record load_record(const fs::path& file) {
  return data::read_record(file);
}

ScoreReport score_records(const std::vector<std::pair<data::Record, data::Record>>& pairs, const ScoreOptions& o) {
  ECG_CHECK(o.metric == "challenge2024" || o.metric == "kaggle", "score: unknown metric '", o.metric,
            "' (expected challenge2024 or kaggle)");
  ECG_CHECK(!pairs.empty(), "score: no record to score");
  ScoreReport rep;
  rep.metric = o.metric;
  rep.cap = o.cap;
  std::vector<std::string> lead_order;
  auto lead_slot = [&](const std::string& name) {
    for (size_t i = 0; i < lead_order.size(); ++i) {
      if (data::same_lead_name(lead_order[i], name)) return i;
    }
    lead_order.push_back(name);
    return lead_order.size() - 1;
  };
  if (o.metric == "challenge2024") {
    losses::ChallengeSnrMetric overall;
    std::vector<losses::ChallengeSnrMetric> per_lead;
    for (const auto& [pred, truth] : pairs) {
      ECG_CHECK(pred.num_leads() == 0 || pred.fs_hz == truth.fs_hz, "record ", truth.id, ": prediction at ", pred.fs_hz,
                " Hz, truth at ", truth.fs_hz, " Hz");
      losses::ChallengeSnrMetric rec;
      for (int64_t l = 0; l < truth.num_leads(); ++l) {
        const double v = losses::challenge2024_snr_db(row(truth, l), pred_lead(pred, truth.leads[l]));
        rec.add_lead(v);
        overall.add_lead(v);
        const size_t slot = lead_slot(truth.leads[l]);
        if (per_lead.size() <= slot) per_lead.resize(slot + 1);
        per_lead[slot].add_lead(v);
      }
      rep.records.emplace_back(truth.id, rec.compute().at("snr_challenge_db"));
    }
    rep.score = overall.compute().at("snr_challenge_db");
    for (size_t i = 0; i < lead_order.size(); ++i) {
      rep.leads.emplace_back(lead_order[i], per_lead[i].compute().at("snr_challenge_db"));
    }
    return rep;
  }
  std::vector<double> image_ratios;
  std::vector<double> lead_ratio_sum;
  std::vector<int64_t> lead_count;
  for (const auto& [pred, truth] : pairs) {
    ECG_CHECK(pred.num_leads() == 0 || pred.fs_hz == truth.fs_hz, "record ", truth.id, ": prediction at ", pred.fs_hz,
              " Hz, truth at ", truth.fs_hz, " Hz");
    const auto max_shift = static_cast<int64_t>(truth.fs_hz * 0.2);
    double s = 0, n = 0;
    for (int64_t l = 0; l < truth.num_leads(); ++l) {
      const auto t = row(truth, l);
      const auto span = losses::finite_span(t);
      if (span.first < 0) continue;  // the lead is absent from the truth
      const int64_t first = span.first;
      const auto& label = span.label;
      auto p = pred_lead(pred, truth.leads[l]);
      p.resize(t.size(), 0.0);
      std::vector<double> guess(p.begin() + first, p.begin() + first + static_cast<int64_t>(label.size()));
      for (size_t k = 0; k < guess.size(); ++k) {
        ECG_CHECK(std::isfinite(guess[k]), "record ", truth.id, " lead ", truth.leads[l], " sample ", first + k,
                  ": the prediction is not finite (the Kaggle metric rejects NaN and inf)");
      }
      const auto a = losses::kaggle_align(label, guess, max_shift);
      const auto [ps, pn] = losses::kaggle_power(label, a.pred);
      s += ps;
      n += pn;
      const size_t slot = lead_slot(truth.leads[l]);
      if (lead_ratio_sum.size() <= slot) {
        lead_ratio_sum.resize(slot + 1, 0.0);
        lead_count.resize(slot + 1, 0);
      }
      lead_ratio_sum[slot] += losses::kaggle_ratio(ps, pn, o.cap);
      ++lead_count[slot];
    }
    const double r = losses::kaggle_ratio(s, n, o.cap);
    image_ratios.push_back(r);
    rep.records.emplace_back(truth.id, std::max(db(r), -o.cap));
  }
  rep.score = losses::kaggle_score_db(image_ratios, o.cap);
  for (size_t i = 0; i < lead_order.size(); ++i) {
    rep.leads.emplace_back(lead_order[i], std::max(db(lead_ratio_sum[i] / static_cast<double>(lead_count[i])), -o.cap));
  }
  return rep;
}

ScoreReport score_directories(const fs::path& pred_dir, const fs::path& truth_dir, const ScoreOptions& o) {
  const auto truth = find_records(truth_dir);
  const auto preds = find_records(pred_dir);
  ECG_CHECK(!truth.empty(), truth_dir.string(), ": no record found (expected *.hea or Kaggle *.csv files)");
  std::vector<std::pair<data::Record, data::Record>> pairs;
  std::vector<std::string> missing, unmatched;
  for (const auto& [id, file] : truth) {
    data::Record t = load_record(file);
    auto it = preds.find(id);
    data::Record p;
    if (it == preds.end()) {
      missing.push_back(id);
      p.id = id;
      p.fs_hz = t.fs_hz;
      p.leads = t.leads;
      p.signal = torch::zeros_like(t.signal);
    } else {
      p = load_record(it->second);
    }
    pairs.emplace_back(std::move(p), std::move(t));
  }
  for (const auto& [id, file] : preds) {
    if (!truth.count(id)) unmatched.push_back(id);
  }
  ScoreReport rep = score_records(pairs, o);
  rep.missing = missing;
  rep.unmatched = unmatched;
  return rep;
}

namespace {

// Page stem -> record id: "00001_hr-0" -> "00001_hr" when the record exists.
const fs::path* record_of(const std::string& page, const std::map<std::string, fs::path>& records) {
  auto it = records.find(page);
  if (it != records.end()) return &it->second;
  const size_t dash = page.rfind('-');
  if (dash == std::string::npos || dash + 1 == page.size()) return nullptr;
  if (page.find_first_not_of("0123456789", dash + 1) != std::string::npos) return nullptr;
  it = records.find(page.substr(0, dash));
  return it == records.end() ? nullptr : &it->second;
}

int64_t window_bound(const nlohmann::json& lead, const char* key, const fs::path& file, size_t i) {
  const auto it = lead.find(key);
  ECG_CHECK(it != lead.end() && it->is_number_integer(), file.string(), ": leads[", i, "].", key,
            ": expected an integer sample index");
  return it->get<int64_t>();
}

}  // namespace

std::map<std::string, data::Record> windowed_truth(const fs::path& records_dir, const fs::path& windows_dir) {
  ECG_CHECK(fs::is_directory(windows_dir), windows_dir.string(), ": not a directory");
  const auto records = find_records(records_dir);
  std::vector<fs::path> pages;
  for (const auto& e : fs::recursive_directory_iterator(windows_dir)) {
    if (e.is_regular_file() && e.path().extension() == ".json") pages.push_back(e.path());
  }
  std::sort(pages.begin(), pages.end());
  ECG_CHECK(!pages.empty(), windows_dir.string(), ": no page JSON found");
  std::map<std::string, data::Record> out;
  for (const auto& file : pages) {
    const std::string page = file.stem().string();
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(read_file(file));
    } catch (const nlohmann::json::exception& e) {
      throw Error(file.string() + ": not valid JSON (" + e.what() + ")");
    }
    const auto leads = j.find("leads");
    ECG_CHECK(leads != j.end() && leads->is_array(), file.string(), ": leads: expected an array of lead windows");
    const fs::path* rec_file = record_of(page, records);
    ECG_CHECK(rec_file != nullptr, "page ", page, " (", file.string(), "): no record '", page, "' or '",
              page.substr(0, page.rfind('-')), "' in ", records_dir.string());
    data::Record rec = load_record(*rec_file);
    std::map<int64_t, std::pair<int64_t, int64_t>> window;  // lead index -> longest [a, b)
    for (size_t i = 0; i < leads->size(); ++i) {
      const auto& l = (*leads)[i];
      const auto name = l.find("lead_name");
      ECG_CHECK(name != l.end() && name->is_string(), file.string(), ": leads[", i, "].lead_name: expected a string");
      const int64_t a = window_bound(l, "start_sample", file, i), b = window_bound(l, "end_sample", file, i);
      ECG_CHECK(0 <= a && a < b && b <= rec.num_samples(), file.string(), ": leads[", i, "]: window [", a, ", ", b,
                ") is not inside record ", rec.id, " (", rec.num_samples(), " samples)");
      const int64_t li = rec.lead_index(name->get<std::string>());
      ECG_CHECK(li >= 0, file.string(), ": leads[", i, "].lead_name: record ", rec.id, " has no lead '",
                name->get<std::string>(), "'");
      auto it = window.find(li);
      if (it == window.end() || b - a > it->second.second - it->second.first) window[li] = {a, b};
    }
    torch::Tensor sig = torch::full_like(rec.signal, std::numeric_limits<float>::quiet_NaN());
    for (const auto& [li, ab] : window) {
      sig[li].slice(0, ab.first, ab.second).copy_(rec.signal[li].slice(0, ab.first, ab.second));
    }
    rec.signal = sig;
    rec.id = page;
    out.emplace(page, std::move(rec));
  }
  return out;
}

ScoreReport score_windows(const fs::path& pred_dir, const fs::path& records_dir, const fs::path& windows_dir,
                          const ScoreOptions& o) {
  auto truth = windowed_truth(records_dir, windows_dir);
  const auto preds = find_records(pred_dir);
  std::vector<std::pair<data::Record, data::Record>> pairs;
  ScoreReport extra;
  for (auto& [id, t] : truth) {
    auto it = preds.find(id);
    data::Record p;
    if (it == preds.end()) {
      extra.missing.push_back(id);
      p.id = id;
      p.fs_hz = t.fs_hz;
      p.leads = t.leads;
      p.signal = torch::zeros_like(t.signal);
    } else {
      p = load_record(it->second);
      p.signal = torch::nan_to_num(p.signal, 0.0);
    }
    pairs.emplace_back(std::move(p), std::move(t));
  }
  for (const auto& [id, file] : preds) {
    if (!truth.count(id)) extra.unmatched.push_back(id);
  }
  ScoreReport rep = score_records(pairs, o);
  rep.missing = extra.missing;
  rep.unmatched = extra.unmatched;
  return rep;
}

nlohmann::json to_json(const ScoreReport& r) {
  auto num = [](double v) -> nlohmann::json {
    if (std::isnan(v)) return nullptr;
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    return v;
  };
  nlohmann::json j;
  j["metric"] = r.metric;
  if (r.metric == "kaggle") j["cap"] = r.cap;
  j["score_db"] = num(r.score);
  j["records"] = nlohmann::json::object();
  for (const auto& [id, v] : r.records) j["records"][id] = num(v);
  j["leads"] = nlohmann::json::object();
  for (const auto& [name, v] : r.leads) j["leads"][name] = num(v);
  j["missing"] = r.missing;
  j["unmatched"] = r.unmatched;
  return j;
}

std::string to_text(const ScoreReport& r) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(3);
  out << "metric: " << r.metric;
  if (r.metric == "kaggle") out << " (cap " << std::defaultfloat << r.cap << std::fixed << ")";
  out << "\nrecords: " << r.records.size() << " scored, " << r.missing.size()
      << " without prediction (scored as zeros), " << r.unmatched.size() << " predictions without truth\n";
  out << "score: " << r.score << " dB\n\nper lead (dB):\n";
  for (const auto& [name, v] : r.leads) out << "  " << std::left << std::setw(6) << name << " " << v << "\n";
  out << "\nper record (dB):\n";
  for (const auto& [id, v] : r.records) out << "  " << std::left << std::setw(12) << id << " " << v << "\n";
  return out.str();
}

}  // namespace ecg::train
