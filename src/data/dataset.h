#pragma once
// Dataset: the interface every registered dataset implements (WFDB folders, MIT-BIH
// beats, on-the-fly synthesis, ...). get() must be thread-safe and deterministic for a
// given index, so that loader threads can call it concurrently and runs are repeatable.

#include <torch/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/registry.h"
#include "data/beat_window.h"

namespace ecg::data {

/// One example. Shapes depend on the dataset and are documented there; `extras` holds
/// further named targets (masks, keypoints, per-example scales) that the loader collates
/// like `target`.
struct Example {
  torch::Tensor input;
  torch::Tensor target;
  std::map<std::string, torch::Tensor> extras;
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  /// Number of examples; nullopt for an infinite (generated) dataset.
  virtual std::optional<int64_t> size() const = 0;
  /// Example `index`; for infinite datasets any index >= 0 is valid.
  virtual Example get(int64_t index) const = 0;
  /// A name for example `index` in reports (a record or file stem); the index by default.
  virtual std::string example_id(int64_t index) const { return std::to_string(index); }
  /// For beat datasets: how each beat window is cut, which training writes into the
  /// checkpoint for `ecgtorch detect`. nullopt for every other dataset.
  virtual std::optional<BeatWindowSpec> beat_window() const { return std::nullopt; }
};

using DatasetRegistry = Registry<Dataset>;

}  // namespace ecg::data
