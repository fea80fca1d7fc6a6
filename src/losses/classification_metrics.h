#pragma once
// Streaming classification metrics. pred: logits [B, C]. target: multi-label {0, 1}
// floats [B, C], or class indices [B] (int64) for single-label problems (turned into
// one-hot where a metric needs it).
//
// macro_f:      Challenge 2024 classification score. A class is predicted when
//               sigmoid(logit) >= threshold (multi-label) or it is the argmax (indices).
//               Per class F = 2TP / (2TP + FP + FN); the mean over classes leaves out
//               classes where that is 0/0. "macro_f" and "f/<c>".
// macro_auroc:  exact area under the ROC curve per class (Mann-Whitney U with average
//               ranks for ties), averaged over classes that have both positives and
//               negatives. "macro_auroc" and "auroc/<c>". Keeps every score.
// accuracy:     single-label: argmax vs target. "accuracy", "sensitivity/<c>",
//               "specificity/<c>", "ppv/<c>" (positive predictive value; NaN when <c> is
//               never predicted) and "confusion/<true>/<pred>" counts.
// ece:          expected calibration error of the softmax confidence (max probability)
//               over `bins` equal-width bins: sum_b n_b / N |accuracy_b - confidence_b|.

#include <vector>

#include "losses/metric.h"

namespace ecg::losses {

/// Exact AUROC of scores against binary labels (ties get average ranks). NaN when the
/// labels are all of one kind.
double auroc(const std::vector<double>& scores, const std::vector<int>& labels);

class MacroFMetric : public Metric {
 public:
  explicit MacroFMetric(double threshold = 0.5) : threshold_(threshold) {}
  void reset() override;
  void update(const torch::Tensor& pred, const torch::Tensor& target) override;
  std::map<std::string, double> compute() const override;
  nlohmann::json state() const override;
  void merge(const nlohmann::json& other) override;

 private:
  double threshold_;
  std::vector<int64_t> tp_, fp_, fn_;
};

class MacroAurocMetric : public Metric {
 public:
  void reset() override;
  void update(const torch::Tensor& pred, const torch::Tensor& target) override;
  std::map<std::string, double> compute() const override;
  nlohmann::json state() const override;
  void merge(const nlohmann::json& other) override;

 private:
  std::vector<std::vector<double>> scores_;
  std::vector<std::vector<int>> labels_;
};

class AccuracyMetric : public Metric {
 public:
  void reset() override;
  void update(const torch::Tensor& pred, const torch::Tensor& target) override;
  std::map<std::string, double> compute() const override;
  nlohmann::json state() const override;
  void merge(const nlohmann::json& other) override;
  /// confusion[true * C + pred]
  const std::vector<int64_t>& confusion() const { return confusion_; }

 private:
  int64_t classes_ = 0;
  std::vector<int64_t> confusion_;
};

class EceMetric : public Metric {
 public:
  explicit EceMetric(int64_t bins = 15);
  void reset() override;
  void update(const torch::Tensor& pred, const torch::Tensor& target) override;
  std::map<std::string, double> compute() const override;
  nlohmann::json state() const override;
  void merge(const nlohmann::json& other) override;

 private:
  int64_t bins_;
  std::vector<int64_t> count_;
  std::vector<double> confidence_, correct_;
};

void register_classification_metrics(MetricRegistry& registry);

}  // namespace ecg::losses
