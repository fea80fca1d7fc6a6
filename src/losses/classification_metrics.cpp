#include "losses/classification_metrics.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/error.h"
#include "losses/signal_metrics.h"

namespace ecg::losses {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Multi-label {0,1} matrix [B, C] (int64) from a target of indices or of floats.
torch::Tensor as_multilabel(const char* who, const torch::Tensor& pred, const torch::Tensor& target) {
  ECG_CHECK(pred.dim() == 2, who, ": expected logits [batch, classes], got ", pred.sizes());
  if (!target.is_floating_point()) {
    ECG_CHECK(target.dim() == 1 && target.size(0) == pred.size(0), who, ": expected class indices [", pred.size(0),
              "], got ", target.sizes());
    return torch::one_hot(target.to(torch::kCPU, torch::kLong), pred.size(1));
  }
  ECG_CHECK(target.sizes() == pred.sizes(), who, ": expected a {0, 1} target ", pred.sizes(), ", got ", target.sizes());
  return target.detach().to(torch::kCPU).round().to(torch::kLong);
}

torch::Tensor indices(const char* who, const torch::Tensor& pred, const torch::Tensor& target) {
  ECG_CHECK(pred.dim() == 2, who, ": expected logits [batch, classes], got ", pred.sizes());
  ECG_CHECK(!target.is_floating_point() && target.dim() == 1 && target.size(0) == pred.size(0), who,
            ": expected class indices [", pred.size(0), "] (int64), got ", target.sizes(), " ", target.dtype());
  return target.to(torch::kCPU, torch::kLong);
}

template <class T>
void size_once(std::vector<T>& v, int64_t n, const char* who) {
  if (v.empty()) v.assign(static_cast<size_t>(n), T{});
  ECG_CHECK(static_cast<int64_t>(v.size()) == n, who, ": ", n, " classes after ", v.size());
}

std::vector<int64_t> to_longs(const torch::Tensor& t) {
  const auto c = t.to(torch::kCPU, torch::kLong).contiguous();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

}  // namespace

double auroc(const std::vector<double>& scores, const std::vector<int>& labels) {
  ECG_CHECK(scores.size() == labels.size(), "auroc: ", scores.size(), " scores and ", labels.size(), " labels");
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  double rank_sum = 0;
  int64_t pos = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && scores[order[j + 1]] == scores[order[i]]) ++j;
    const double avg_rank = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (size_t k = i; k <= j; ++k) {
      if (labels[order[k]] != 0) {
        rank_sum += avg_rank;
        ++pos;
      }
    }
    i = j + 1;
  }
  const int64_t neg = static_cast<int64_t>(scores.size()) - pos;
  if (pos == 0 || neg == 0) return kNaN;
  const double p = static_cast<double>(pos);
  return (rank_sum - p * (p + 1) / 2.0) / (p * static_cast<double>(neg));
}

void MacroFMetric::reset() {
  tp_.clear();
  fp_.clear();
  fn_.clear();
}

void MacroFMetric::update(const torch::Tensor& pred, const torch::Tensor& target) {
  const auto truth = as_multilabel("macro_f", pred, target);
  torch::Tensor guess;
  if (!target.is_floating_point()) {
    guess = torch::one_hot(pred.detach().argmax(1).cpu(), pred.size(1));
  } else {
    guess = (torch::sigmoid(pred.detach().to(torch::kCPU, torch::kFloat64)) >= threshold_).to(torch::kLong);
  }
  const int64_t c = pred.size(1);
  size_once(tp_, c, "macro_f");
  size_once(fp_, c, "macro_f");
  size_once(fn_, c, "macro_f");
  const auto tp = to_longs((guess * truth).sum(0)), fp = to_longs((guess * (1 - truth)).sum(0)),
             fn = to_longs(((1 - guess) * truth).sum(0));
  for (int64_t j = 0; j < c; ++j) {
    tp_[j] += tp[j];
    fp_[j] += fp[j];
    fn_[j] += fn[j];
  }
}

std::map<std::string, double> MacroFMetric::compute() const {
  std::map<std::string, double> out;
  double sum = 0;
  int64_t n = 0;
  for (size_t j = 0; j < tp_.size(); ++j) {
    const int64_t denom = 2 * tp_[j] + fp_[j] + fn_[j];
    const double f = denom > 0 ? 2.0 * static_cast<double>(tp_[j]) / static_cast<double>(denom) : kNaN;
    out["f/" + std::to_string(j)] = f;
    if (!std::isnan(f)) {
      sum += f;
      ++n;
    }
  }
  out["macro_f"] = n > 0 ? sum / static_cast<double>(n) : kNaN;
  return out;
}

nlohmann::json MacroFMetric::state() const {
  return {{"tp", tp_}, {"fp", fp_}, {"fn", fn_}};
}

void MacroFMetric::merge(const nlohmann::json& o) {
  ECG_CHECK(o.contains("tp") && o.contains("fp") && o.contains("fn"), "macro_f: cannot merge state ", o.dump());
  detail::add_into(tp_, o["tp"].get<std::vector<int64_t>>(), "macro_f");
  detail::add_into(fp_, o["fp"].get<std::vector<int64_t>>(), "macro_f");
  detail::add_into(fn_, o["fn"].get<std::vector<int64_t>>(), "macro_f");
}

void MacroAurocMetric::reset() {
  scores_.clear();
  labels_.clear();
}

void MacroAurocMetric::update(const torch::Tensor& pred, const torch::Tensor& target) {
  const auto truth = as_multilabel("macro_auroc", pred, target);
  const auto s = pred.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  const int64_t b = s.size(0), c = s.size(1);
  size_once(scores_, c, "macro_auroc");
  size_once(labels_, c, "macro_auroc");
  const auto t = truth.contiguous();
  for (int64_t i = 0; i < b; ++i) {
    for (int64_t j = 0; j < c; ++j) {
      scores_[j].push_back(s.data_ptr<double>()[i * c + j]);
      labels_[j].push_back(static_cast<int>(t.data_ptr<int64_t>()[i * c + j]));
    }
  }
}

std::map<std::string, double> MacroAurocMetric::compute() const {
  std::map<std::string, double> out;
  double sum = 0;
  int64_t n = 0;
  for (size_t j = 0; j < scores_.size(); ++j) {
    const double a = auroc(scores_[j], labels_[j]);
    out["auroc/" + std::to_string(j)] = a;
    if (!std::isnan(a)) {
      sum += a;
      ++n;
    }
  }
  out["macro_auroc"] = n > 0 ? sum / static_cast<double>(n) : kNaN;
  return out;
}

nlohmann::json MacroAurocMetric::state() const {
  return {{"scores", scores_}, {"labels", labels_}};
}

void MacroAurocMetric::merge(const nlohmann::json& o) {
  ECG_CHECK(o.contains("scores") && o.contains("labels"), "macro_auroc: cannot merge state ", o.dump());
  const auto s = o["scores"].get<std::vector<std::vector<double>>>();
  const auto l = o["labels"].get<std::vector<std::vector<int>>>();
  size_once(scores_, static_cast<int64_t>(s.size()), "macro_auroc");
  size_once(labels_, static_cast<int64_t>(l.size()), "macro_auroc");
  for (size_t j = 0; j < s.size(); ++j) {
    scores_[j].insert(scores_[j].end(), s[j].begin(), s[j].end());
    labels_[j].insert(labels_[j].end(), l[j].begin(), l[j].end());
  }
}

void AccuracyMetric::reset() {
  classes_ = 0;
  confusion_.clear();
}

void AccuracyMetric::update(const torch::Tensor& pred, const torch::Tensor& target) {
  const auto truth = to_longs(indices("accuracy", pred, target));
  const auto guess = to_longs(pred.detach().argmax(1));
  const int64_t c = pred.size(1);
  if (classes_ == 0) {
    classes_ = c;
    confusion_.assign(static_cast<size_t>(c * c), 0);
  }
  ECG_CHECK(classes_ == c, "accuracy: ", c, " classes after ", classes_);
  for (size_t i = 0; i < truth.size(); ++i) {
    ECG_CHECK(truth[i] >= 0 && truth[i] < c, "accuracy: target class ", truth[i], " is outside [0, ", c, ")");
    ++confusion_[static_cast<size_t>(truth[i] * c + guess[i])];
  }
}

std::map<std::string, double> AccuracyMetric::compute() const {
  std::map<std::string, double> out;
  const int64_t c = classes_;
  int64_t total = 0, correct = 0;
  for (int64_t i = 0; i < c; ++i) {
    for (int64_t j = 0; j < c; ++j) {
      const int64_t v = confusion_[static_cast<size_t>(i * c + j)];
      total += v;
      if (i == j) correct += v;
      out["confusion/" + std::to_string(i) + "/" + std::to_string(j)] = static_cast<double>(v);
    }
  }
  for (int64_t k = 0; k < c; ++k) {
    int64_t tp = confusion_[static_cast<size_t>(k * c + k)], fn = 0, fp = 0;
    for (int64_t j = 0; j < c; ++j) {
      if (j == k) continue;
      fn += confusion_[static_cast<size_t>(k * c + j)];
      fp += confusion_[static_cast<size_t>(j * c + k)];
    }
    const int64_t tn = total - tp - fn - fp;
    out["sensitivity/" + std::to_string(k)] =
        tp + fn > 0 ? static_cast<double>(tp) / static_cast<double>(tp + fn) : kNaN;
    out["specificity/" + std::to_string(k)] =
        tn + fp > 0 ? static_cast<double>(tn) / static_cast<double>(tn + fp) : kNaN;
    out["ppv/" + std::to_string(k)] = tp + fp > 0 ? static_cast<double>(tp) / static_cast<double>(tp + fp) : kNaN;
  }
  out["accuracy"] = total > 0 ? static_cast<double>(correct) / static_cast<double>(total) : kNaN;
  return out;
}

nlohmann::json AccuracyMetric::state() const {
  return {{"classes", classes_}, {"confusion", confusion_}};
}

void AccuracyMetric::merge(const nlohmann::json& o) {
  ECG_CHECK(o.contains("classes") && o.contains("confusion"), "accuracy: cannot merge state ", o.dump());
  const int64_t c = o["classes"].get<int64_t>();
  if (classes_ == 0) classes_ = c;
  ECG_CHECK(classes_ == c, "accuracy: cannot merge ", c, " classes into ", classes_);
  detail::add_into(confusion_, o["confusion"].get<std::vector<int64_t>>(), "accuracy");
}

EceMetric::EceMetric(int64_t bins) : bins_(bins) {
  ECG_CHECK(bins_ >= 1, "ece: bins must be >= 1, got ", bins_);
  reset();
}

void EceMetric::reset() {
  count_.assign(static_cast<size_t>(bins_), 0);
  confidence_.assign(static_cast<size_t>(bins_), 0.0);
  correct_.assign(static_cast<size_t>(bins_), 0.0);
}

void EceMetric::update(const torch::Tensor& pred, const torch::Tensor& target) {
  const auto truth = to_longs(indices("ece", pred, target));
  const auto probs = torch::softmax(pred.detach().to(torch::kCPU, torch::kFloat64), 1);
  const auto [conf, arg] = probs.max(1);
  const auto guess = to_longs(arg);
  for (size_t i = 0; i < truth.size(); ++i) {
    const double p = conf[static_cast<int64_t>(i)].item<double>();
    // Bins (k/B, (k+1)/B], as in Guo et al. 2017; p = 0 falls in the first.
    const int64_t k =
        std::clamp<int64_t>(static_cast<int64_t>(std::ceil(p * static_cast<double>(bins_))) - 1, 0, bins_ - 1);
    ++count_[k];
    confidence_[k] += p;
    correct_[k] += truth[i] == guess[i] ? 1.0 : 0.0;
  }
}

std::map<std::string, double> EceMetric::compute() const {
  int64_t total = 0;
  for (auto c : count_) total += c;
  if (total == 0) return {{"ece", kNaN}};
  double ece = 0;
  for (int64_t k = 0; k < bins_; ++k) {
    if (count_[k] == 0) continue;
    const double n = static_cast<double>(count_[k]);
    ece += n / static_cast<double>(total) * std::abs(correct_[k] / n - confidence_[k] / n);
  }
  return {{"ece", ece}};
}

nlohmann::json EceMetric::state() const {
  return {{"count", count_}, {"confidence", confidence_}, {"correct", correct_}};
}

void EceMetric::merge(const nlohmann::json& o) {
  ECG_CHECK(o.contains("count") && o.contains("confidence"), "ece: cannot merge state ", o.dump());
  detail::add_into(count_, o["count"].get<std::vector<int64_t>>(), "ece");
  detail::add_into(confidence_, o["confidence"].get<std::vector<double>>(), "ece");
  detail::add_into(correct_, o["correct"].get<std::vector<double>>(), "ece");
}

void register_classification_metrics(MetricRegistry& registry) {
  struct FOptions {
    TORCH_ARG(double, threshold) = 0.5;
  };
  config::OptionsBinder<FOptions> f("metric 'macro_f'");
  auto& th = ECG_BIND(f, threshold, "probability from which a label is predicted (multi-label)");
  th.min_value = 0;
  th.max_value = 1;
  registry.add("macro_f", "macro F-measure as in the Challenge 2024 (2TP / (2TP + FP + FN))", f,
               [](const FOptions& o) { return std::make_shared<MacroFMetric>(o.threshold()); });
  registry.add("macro_auroc", "exact macro AUROC, ties handled",
               std::make_shared<config::Schema>("metric 'macro_auroc'"),
               [](const config::ConfigNode&, const std::string&) { return std::make_shared<MacroAurocMetric>(); });
  registry.add("accuracy", "accuracy, per-class sensitivity, specificity and PPV, confusion matrix",
               std::make_shared<config::Schema>("metric 'accuracy'"),
               [](const config::ConfigNode&, const std::string&) { return std::make_shared<AccuracyMetric>(); });
  struct EceOptions {
    TORCH_ARG(int64_t, bins) = 15;
  };
  config::OptionsBinder<EceOptions> e("metric 'ece'");
  ECG_BIND(e, bins, "equal-width confidence bins").min_value = 1;
  registry.add("ece", "expected calibration error of the softmax confidence", e,
               [](const EceOptions& o) { return std::make_shared<EceMetric>(o.bins()); });
}

}  // namespace ecg::losses
