#pragma once
// Metric: the base of every registered metric. Metrics are streaming: update() takes one
// batch at a time and compute() gives the value over everything seen since reset().
// They merge across processes: state() is a JSON value that another instance of the
// same metric adds to its own with merge() (rank 0 gathers and merges every rank's).

#include <torch/types.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/registry.h"

namespace ecg::losses {

class Metric {
 public:
  virtual ~Metric() = default;
  virtual void reset() = 0;
  virtual void update(const torch::Tensor& pred, const torch::Tensor& target) = 0;
  /// Named values, e.g. {"snr_kaggle_db": 12.5}.
  virtual std::map<std::string, double> compute() const = 0;
  virtual nlohmann::json state() const = 0;
  /// Adds another instance's state(); throws ecg::Error if it does not fit.
  virtual void merge(const nlohmann::json& other) = 0;
};

using MetricRegistry = Registry<Metric>;

}  // namespace ecg::losses
