#pragma once
// The two digitisation scores, exactly as the organisers compute them (REFERENCE.md).
//
// PhysioNet Challenge 2024: per (record, lead), with the prediction truncated or
//   zero-padded at the end to the label's length and NaN -> 0 in both,
//   SNR = 10 log10(sum x^2 / sum (y - x)^2) dB (+inf when the noise is 0); the score is
//   the mean over all (record, lead) pairs, NaN pairs left out.
// Kaggle 2025: per image and lead, both series are mean-centred and the lag in
//   [-max_shift, max_shift] (max_shift = int(0.2 fs)) with the largest full
//   cross-correlation is found (ties: the smallest |lag|, then the negative one); the
//   prediction is shifted by it, samples it no longer covers become NaN; the constant
//   offset v minimising sum (label - (pred - v))^2 over covered samples is removed; NaN
//   -> 0. Powers are pooled over the image's leads: S = sum label^2,
//   N = sum (label - pred)^2, r = min(S / N, cap), r = cap when N = 0 and 0 when S = 0.
//   Score = max(10 log10(mean over images of r), -cap). cap = 384 (25.84 dB) by default.

#include <cstdint>
#include <string>
#include <vector>

#include "losses/metric.h"

namespace ecg::losses {

/// Challenge 2024 SNR of one lead in dB. NaN -> 0; pred is cut or zero-padded to the
/// label's length. +inf for zero noise, -inf for a silent label with noise.
double challenge2024_snr_db(std::vector<double> label, std::vector<double> pred);

struct KaggleAlignment {
  int64_t lag = 0;           // samples; > 0 moves the prediction later
  double offset = 0;         // removed from the shifted prediction
  std::vector<double> pred;  // aligned, the label's length, NaN where uncovered
};

/// Kaggle 2025 alignment of one lead. The label must be finite and the prediction must
/// have a finite value (throws ecg::Error otherwise).
KaggleAlignment kaggle_align(const std::vector<double>& label, const std::vector<double>& pred, int64_t max_shift);

/// Signal and noise power of one aligned lead (NaN in the prediction counts as 0).
std::pair<double, double> kaggle_power(const std::vector<double>& label, const std::vector<double>& aligned);

/// A lead's label in a fixed-length array: the span from the first to the last finite
/// sample (a 2.5 s Kaggle lead sits in a 10 s column of NaN), inner NaN set to 0, and
/// where it starts. An all-NaN lead gives first = -1 and an empty label.
struct LabelSpan {
  int64_t first = -1;
  std::vector<double> label;
};
LabelSpan finite_span(const std::vector<double>& lead);

/// Capped ratio of pooled powers: min(S / N, cap); cap when N = 0; 0 when S = 0.
double kaggle_ratio(double signal, double noise, double cap);

/// The capped power ratio of one image: every lead aligned (max_shift = int(0.2 fs)),
/// powers pooled over leads. labels[i] and preds[i] are lead i (any lengths).
double kaggle_image_ratio(const std::vector<std::vector<double>>& labels, const std::vector<std::vector<double>>& preds,
                          double fs_hz, double cap);

/// max(10 log10(mean(ratios)), -cap).
double kaggle_score_db(const std::vector<double>& ratios, double cap);

/// Streaming Challenge 2024 SNR. pred, target [B, leads, T] in mV; target NaN marks
/// unplotted or absent samples, which count as 0 (as the official scorer's NaN -> 0).
/// By default the prediction there counts as 0 too, as `ecgtorch predict` writes no
/// samples outside a lead's panel: a digitiser's [B, 12, columns] output has a value
/// for every lead in every column, and those of the columns where the lead is not
/// plotted mean nothing. With score_unplotted they are scored against 0 (the raw output).
class ChallengeSnrMetric : public Metric {
 public:
  explicit ChallengeSnrMetric(bool score_unplotted = false) : score_unplotted_(score_unplotted) {}
  void reset() override;
  void update(const torch::Tensor& pred, const torch::Tensor& target) override;
  std::map<std::string, double> compute() const override;  // {"snr_challenge_db": ...}
  nlohmann::json state() const override;
  void merge(const nlohmann::json& other) override;
  void add_lead(double snr_db);

 private:
  bool score_unplotted_ = false;
  double sum_db_ = 0;
  int64_t finite_ = 0, pos_inf_ = 0, neg_inf_ = 0;
};

/// Streaming Kaggle 2025 SNR. pred, target [B, leads, T] in mV at fs_hz; each image is
/// one batch element. For each lead the label is the finite span of target (a 2.5 s lead
/// in a 10 s array is NaN outside its window) and the prediction the same span.
class KaggleSnrMetric : public Metric {
 public:
  explicit KaggleSnrMetric(double fs_hz, double cap = 384.0);
  void reset() override;
  void update(const torch::Tensor& pred, const torch::Tensor& target) override;
  std::map<std::string, double> compute() const override;  // {"snr_kaggle_db": ...}
  nlohmann::json state() const override;
  void merge(const nlohmann::json& other) override;
  void add_image(double ratio);

 private:
  double fs_hz_, cap_;
  double sum_ratio_ = 0;
  int64_t images_ = 0;
};

void register_snr_metrics(MetricRegistry& registry);

}  // namespace ecg::losses
