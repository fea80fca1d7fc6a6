#include "losses/snr_metrics.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "core/error.h"

namespace ecg::losses {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double zero_nan(double v) {
  return std::isnan(v) ? 0.0 : v;
}

std::vector<double> to_vector(const torch::Tensor& t) {
  const auto c = t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

void check_signals(const char* who, const torch::Tensor& pred, const torch::Tensor& target) {
  ECG_CHECK(pred.sizes() == target.sizes() && pred.dim() == 3, who,
            ": expected pred and target [batch, leads, T], got ", pred.sizes(), " and ", target.sizes());
}

}  // namespace

double challenge2024_snr_db(std::vector<double> label, std::vector<double> pred) {
  pred.resize(label.size(), 0.0);
  double signal = 0, noise = 0;
  for (size_t i = 0; i < label.size(); ++i) {
    const double x = zero_nan(label[i]), y = zero_nan(pred[i]);
    signal += x * x;
    noise += (y - x) * (y - x);
  }
  if (noise == 0) return kInf;
  return 10.0 * std::log10(signal / noise);
}

KaggleAlignment kaggle_align(const std::vector<double>& label, const std::vector<double>& pred, int64_t max_shift) {
  const int64_t nl = static_cast<int64_t>(label.size()), np = static_cast<int64_t>(pred.size());
  ECG_CHECK(nl > 0 && np > 0, "kaggle snr: empty label or prediction");
  for (double v : label) ECG_CHECK(std::isfinite(v), "kaggle snr: label values must all be finite");
  double lm = 0, pm = 0;
  int64_t finite = 0;
  for (double v : label) lm += v;
  lm /= static_cast<double>(nl);
  for (double v : pred) pm += v;  // a NaN prediction poisons the mean, as in the official scorer
  for (double v : pred) finite += std::isfinite(v) ? 1 : 0;
  ECG_CHECK(finite > 0, "kaggle snr: the prediction has no finite value");
  pm /= static_cast<double>(np);
  // Full cross-correlation c[lag] = sum_n label_c[n + lag] * pred_c[n], lags -(np-1)..nl-1.
  KaggleAlignment out;
  double best = -kInf;
  bool found = false;
  const int64_t lo = std::max(-max_shift, -(np - 1)), hi = std::min(max_shift, nl - 1);
  for (int64_t lag = lo; lag <= hi; ++lag) {
    double c = 0;
    for (int64_t n = std::max<int64_t>(0, -lag); n < np && n + lag < nl; ++n)
      c += (label[n + lag] - lm) * (pred[n] - pm);
    if (std::isnan(c)) continue;
    if (!found || c > best || (c == best && std::llabs(lag) < std::llabs(out.lag))) {
      best = c;
      out.lag = lag;
      found = true;
    }
  }
  const int64_t lag = out.lag;
  out.pred.assign(static_cast<size_t>(nl), std::numeric_limits<double>::quiet_NaN());
  for (int64_t i = 0; i < nl; ++i) {
    const int64_t src = i - lag;
    if (src >= 0 && src < np) out.pred[i] = pred[src];
  }
  double sum = 0;
  int64_t count = 0;
  for (int64_t i = 0; i < nl; ++i) {
    if (std::isfinite(out.pred[i])) {
      sum += out.pred[i] - label[i];
      ++count;
    }
  }
  if (count > 0) {
    out.offset = sum / static_cast<double>(count);
    for (auto& v : out.pred) v -= out.offset;
  }
  return out;
}

std::pair<double, double> kaggle_power(const std::vector<double>& label, const std::vector<double>& aligned) {
  ECG_CHECK(label.size() == aligned.size(), "kaggle snr: label and aligned prediction differ in length");
  double s = 0, n = 0;
  for (size_t i = 0; i < label.size(); ++i) {
    const double p = std::isfinite(aligned[i]) ? aligned[i] : 0.0;
    s += label[i] * label[i];
    n += (label[i] - p) * (label[i] - p);
  }
  return {s, n};
}

LabelSpan finite_span(const std::vector<double>& lead) {
  LabelSpan s;
  int64_t last = -1;
  for (int64_t k = 0; k < static_cast<int64_t>(lead.size()); ++k) {
    if (std::isfinite(lead[k])) {
      if (s.first < 0) s.first = k;
      last = k;
    }
  }
  if (s.first < 0) return s;
  s.label.assign(lead.begin() + s.first, lead.begin() + last + 1);
  for (auto& v : s.label) v = std::isfinite(v) ? v : 0.0;
  return s;
}

double kaggle_ratio(double signal, double noise, double cap) {
  if (noise == 0) return cap;
  if (signal == 0) return 0;
  return std::min(signal / noise, cap);
}

double kaggle_image_ratio(const std::vector<std::vector<double>>& labels, const std::vector<std::vector<double>>& preds,
                          double fs_hz, double cap) {
  ECG_CHECK(labels.size() == preds.size(), "kaggle snr: ", labels.size(), " label leads but ", preds.size(),
            " predicted leads");
  const auto max_shift = static_cast<int64_t>(fs_hz * 0.2);
  double s = 0, n = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const auto a = kaggle_align(labels[i], preds[i], max_shift);
    const auto [ps, pn] = kaggle_power(labels[i], a.pred);
    s += ps;
    n += pn;
  }
  return kaggle_ratio(s, n, cap);
}

double kaggle_score_db(const std::vector<double>& ratios, double cap) {
  ECG_CHECK(!ratios.empty(), "kaggle snr: no image was scored");
  double sum = 0;
  for (double r : ratios) sum += r;
  return std::max(10.0 * std::log10(sum / static_cast<double>(ratios.size())), -cap);
}

void ChallengeSnrMetric::reset() {
  *this = ChallengeSnrMetric(score_unplotted_);
}

void ChallengeSnrMetric::add_lead(double db) {
  if (std::isnan(db)) return;
  if (db == kInf) {
    ++pos_inf_;
  } else if (db == -kInf) {
    ++neg_inf_;
  } else {
    sum_db_ += db;
    ++finite_;
  }
}

void ChallengeSnrMetric::update(const torch::Tensor& pred, const torch::Tensor& target) {
  check_signals("snr_challenge2024", pred, target);
  const auto scored = score_unplotted_ ? pred : torch::where(torch::isnan(target), torch::zeros_like(pred), pred);
  const int64_t b = pred.size(0), l = pred.size(1);
  for (int64_t i = 0; i < b; ++i) {
    for (int64_t j = 0; j < l; ++j) add_lead(challenge2024_snr_db(to_vector(target[i][j]), to_vector(scored[i][j])));
  }
}

std::map<std::string, double> ChallengeSnrMetric::compute() const {
  double v;
  if (pos_inf_ > 0 && neg_inf_ > 0) {
    v = std::numeric_limits<double>::quiet_NaN();
  } else if (pos_inf_ > 0) {
    v = kInf;
  } else if (neg_inf_ > 0) {
    v = -kInf;
  } else {
    v = finite_ > 0 ? sum_db_ / static_cast<double>(finite_) : std::numeric_limits<double>::quiet_NaN();
  }
  return {{"snr_challenge_db", v}};
}

nlohmann::json ChallengeSnrMetric::state() const {
  return {{"sum_db", sum_db_}, {"finite", finite_}, {"pos_inf", pos_inf_}, {"neg_inf", neg_inf_}};
}

void ChallengeSnrMetric::merge(const nlohmann::json& o) {
  ECG_CHECK(o.contains("sum_db") && o.contains("pos_inf"), "snr_challenge2024: cannot merge state ", o.dump());
  sum_db_ += o["sum_db"].get<double>();
  finite_ += o["finite"].get<int64_t>();
  pos_inf_ += o["pos_inf"].get<int64_t>();
  neg_inf_ += o["neg_inf"].get<int64_t>();
}

KaggleSnrMetric::KaggleSnrMetric(double fs_hz, double cap) : fs_hz_(fs_hz), cap_(cap) {
  ECG_CHECK(fs_hz_ > 0, "snr_kaggle: fs_hz must be > 0, got ", fs_hz_);
  ECG_CHECK(cap_ > 0, "snr_kaggle: cap must be > 0, got ", cap_);
}

void KaggleSnrMetric::reset() {
  sum_ratio_ = 0;
  images_ = 0;
}

void KaggleSnrMetric::add_image(double ratio) {
  sum_ratio_ += ratio;
  ++images_;
}

void KaggleSnrMetric::update(const torch::Tensor& pred, const torch::Tensor& target) {
  check_signals("snr_kaggle", pred, target);
  for (int64_t i = 0; i < pred.size(0); ++i) {
    std::vector<std::vector<double>> labels, guesses;
    for (int64_t j = 0; j < pred.size(1); ++j) {
      auto span = finite_span(to_vector(target[i][j]));
      if (span.first < 0) continue;  // lead absent from the label
      const auto p = to_vector(pred[i][j]);
      const auto begin = p.begin() + span.first;
      guesses.emplace_back(begin, begin + static_cast<int64_t>(span.label.size()));
      labels.push_back(std::move(span.label));
    }
    add_image(kaggle_image_ratio(labels, guesses, fs_hz_, cap_));
  }
}

std::map<std::string, double> KaggleSnrMetric::compute() const {
  if (images_ == 0) return {{"snr_kaggle_db", std::numeric_limits<double>::quiet_NaN()}};
  return {{"snr_kaggle_db", std::max(10.0 * std::log10(sum_ratio_ / static_cast<double>(images_)), -cap_)}};
}

nlohmann::json KaggleSnrMetric::state() const {
  return {{"sum_ratio", sum_ratio_}, {"images", images_}};
}

void KaggleSnrMetric::merge(const nlohmann::json& o) {
  ECG_CHECK(o.contains("sum_ratio") && o.contains("images"), "snr_kaggle: cannot merge state ", o.dump());
  sum_ratio_ += o["sum_ratio"].get<double>();
  images_ += o["images"].get<int64_t>();
}

void register_snr_metrics(MetricRegistry& registry) {
  struct ChallengeOptions {
    TORCH_ARG(bool, score_unplotted) = false;
  };
  config::OptionsBinder<ChallengeOptions> c("metric 'snr_challenge2024'");
  ECG_BIND(c, score_unplotted,
           "score the prediction against 0 where the lead is not plotted (NaN target) instead of taking it as 0");
  registry.add("snr_challenge2024", "PhysioNet Challenge 2024 SNR: mean per-lead dB", c,
               [](const ChallengeOptions& o) { return std::make_shared<ChallengeSnrMetric>(o.score_unplotted()); });
  struct KaggleOptions {
    TORCH_ARG(double, fs_hz) = 500.0;
    TORCH_ARG(double, cap) = 384.0;
  };
  config::OptionsBinder<KaggleOptions> b("metric 'snr_kaggle'");
  ECG_BIND(b, fs_hz, "sample rate; the alignment searches +-0.2 s").min_value = 0;
  ECG_BIND(b, cap, "cap of the power ratio (384 = 25.84 dB; some copies use 1e6)").min_value = 0;
  registry.add("snr_kaggle", "Kaggle 2025 SNR: aligned, offset-free, pooled over leads", b,
               [](const KaggleOptions& o) { return std::make_shared<KaggleSnrMetric>(o.fs_hz(), o.cap()); });
}

}  // namespace ecg::losses
