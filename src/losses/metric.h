#pragma once
// Metric: the base of every registered metric. Metrics are streaming: update() takes
// one batch at a time, compute() gives the value over everything seen since reset().

#include <torch/types.h>

#include <map>
#include <string>

#include "core/registry.h"

namespace ecg::losses {

class Metric {
 public:
  virtual ~Metric() = default;
  virtual void reset() = 0;
  virtual void update(const torch::Tensor& pred, const torch::Tensor& target) = 0;
  /// Named values, e.g. {"mae_uv": 12.5}.
  virtual std::map<std::string, double> compute() const = 0;
};

using MetricRegistry = Registry<Metric>;

}  // namespace ecg::losses
