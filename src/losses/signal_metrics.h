#pragma once
// Streaming metrics on signals and keypoints.
//
// pearson:         pred, target [B, leads, T]; Pearson r of each (record, lead) over the
//                  samples where target is finite, averaged: "pearson" over every pair,
//                  "pearson/<lead index>" per lead. Pairs with a constant series are
//                  left out.
// mae_uv:          mean |pred - target| over finite target samples, in microvolts
//                  (inputs in mV): "mae_uv".
// keypoint_error:  pred, target [B, K] keypoint positions in samples at fs_hz (NaN
//                  target = absent); mean |pred - target| in ms: "keypoint_error_ms" and
//                  "keypoint_error_ms/<k>" per keypoint index.

#include <vector>

#include "losses/metric.h"

namespace ecg::losses {

class PearsonMetric : public Metric {
 public:
  void reset() override;
  void update(const torch::Tensor& pred, const torch::Tensor& target) override;
  std::map<std::string, double> compute() const override;
  nlohmann::json state() const override;
  void merge(const nlohmann::json& other) override;

 private:
  std::vector<double> sum_r_;
  std::vector<int64_t> count_;
};

class MaeMetric : public Metric {
 public:
  void reset() override;
  void update(const torch::Tensor& pred, const torch::Tensor& target) override;
  std::map<std::string, double> compute() const override;
  nlohmann::json state() const override;
  void merge(const nlohmann::json& other) override;

 private:
  double sum_abs_mv_ = 0;
  int64_t count_ = 0;
};

class KeypointErrorMetric : public Metric {
 public:
  explicit KeypointErrorMetric(double fs_hz);
  void reset() override;
  void update(const torch::Tensor& pred, const torch::Tensor& target) override;
  std::map<std::string, double> compute() const override;
  nlohmann::json state() const override;
  void merge(const nlohmann::json& other) override;

 private:
  double fs_hz_;
  std::vector<double> sum_ms_;
  std::vector<int64_t> count_;
};

void register_signal_metrics(MetricRegistry& registry);

namespace detail {
/// Adds `other` element-wise into `mine`, sizing an empty `mine`; throws on a mismatch.
template <class T>
void add_into(std::vector<T>& mine, const std::vector<T>& other, const char* who);
}  // namespace detail

}  // namespace ecg::losses
