#pragma once
// strip_trace: the validation metric of a learned trace reader (pred and target as in
// strip_trace_losses.h). Over every column with a target seen since reset():
//   strip_snr_db     10 log10(sum mV^2 / sum (mV_hat - mV)^2), mV_hat read by top-k
//                    soft-argmax (top_k 4): the Kaggle metric's power ratio, pooled
//   strip_mae_rows   mean |y_hat - y| in strip rows
//   strip_coverage   share of the columns with a target whose confidence is >= 0.5
//   strip_false_conf share of the columns without one whose confidence is >= 0.5

#include <cstdint>

#include "losses/metric.h"

namespace ecg::losses {

class StripTraceMetric : public Metric {
 public:
  void reset() override;
  void update(const torch::Tensor& pred, const torch::Tensor& target) override;
  std::map<std::string, double> compute() const override;
  nlohmann::json state() const override;
  void merge(const nlohmann::json& other) override;

 private:
  double signal_ = 0, noise_ = 0, abs_rows_ = 0;
  int64_t with_ = 0, covered_ = 0, without_ = 0, false_conf_ = 0;
};

void register_strip_trace_metrics(MetricRegistry& registry);

}  // namespace ecg::losses
