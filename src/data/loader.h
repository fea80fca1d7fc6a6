#pragma once
// DataLoader: batches of a Dataset built by worker threads ahead of the consumer.
//
// The consumer asks for batches in order; workers build batch k (examples
// order[k * batch_size ...], collated) while the consumer works on earlier ones, at most
// `prefetch` batches ahead. Dataset::get() is deterministic per index, so a batch's
// content does not depend on the number of workers or on timing. A worker's exception is
// rethrown by next() for the batch it belongs to. wait_seconds() is the time next() spent
// blocked: the trainer logs it as data-wait.
//
// Collation: `input`, `target` and every extra are stacked along a new dim 0 when all
// examples have the same shape; extras of different shapes (keypoints of varying count)
// are kept per example in Batch::lists. A missing (undefined) target stays undefined.

#include <torch/types.h>

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "data/dataset.h"

namespace ecg::data {

struct Batch {
  torch::Tensor input, target;
  std::map<std::string, torch::Tensor> extras;
  std::map<std::string, std::vector<torch::Tensor>> lists;
  std::vector<int64_t> indices;  // dataset indices of the examples, in order
};

/// Stacks examples as described above. Throws ecg::Error naming the example whose
/// input or target shape differs from the first.
Batch collate(std::vector<Example> examples, std::vector<int64_t> indices);

struct LoaderOptions {
  int64_t batch_size = 8;
  int workers = 2;         // 0: batches are built in next(), on the caller's thread
  int prefetch = 4;        // batches built ahead of the consumer
  bool drop_last = false;  // drop a last, smaller batch
};

class DataLoader {
 public:
  /// Batches of `dataset` over the indices `order` (one epoch; any order, repeats allowed).
  DataLoader(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> order, LoaderOptions options);
  ~DataLoader();
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  /// The next batch, or nullopt after the last. Rethrows a worker's exception.
  std::optional<Batch> next();
  int64_t num_batches() const { return num_batches_; }
  /// Seconds next() has spent waiting for a batch that was not ready.
  double wait_seconds() const { return wait_s_; }

 private:
  Batch build(int64_t k) const;
  void work();

  std::shared_ptr<const Dataset> dataset_;
  std::vector<int64_t> order_;
  LoaderOptions options_;
  int64_t num_batches_ = 0;

  std::mutex mutex_;
  std::condition_variable ready_, room_;
  int64_t next_to_build_ = 0, next_to_return_ = 0;
  bool stop_ = false;
  std::map<int64_t, Batch> done_;
  std::map<int64_t, std::exception_ptr> failed_;
  std::vector<std::thread> threads_;
  double wait_s_ = 0;
};

}  // namespace ecg::data
