#pragma once
// Data-parallel training over c10d: Gloo on CPU, NCCL on CUDA (when LibTorch has it).
//
// The launch environment follows torchrun: RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
// MASTER_PORT; under SLURM (srun) SLURM_PROCID, SLURM_NTASKS and SLURM_LOCALID stand in
// for the first three. Rank 0 hosts the TCP store. Gradients are averaged by a bucketed
// all-reduce after backward (flattened buckets of `bucket_mb`, all launched, then waited
// on); parameters and buffers start from rank 0's.
//
//   DistEnv env = dist_env_from_environment();
//   auto pg = ProcessGroup::create(env, device);          // nullptr when world_size == 1
//   pg->broadcast_module(*model);
//   ... loss.backward(); pg->average_gradients(*model);

#include <c10/core/Device.h>
#include <torch/nn/module.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ecg::train {

struct DistEnv {
  int64_t rank = 0;
  int64_t world_size = 1;
  int64_t local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int64_t master_port = 29500;
};

/// Reads the variables above through `getenv` (the process environment by default).
/// Throws ecg::Error naming the variable when one is malformed or out of range.
DistEnv dist_env_from_environment(
    const std::function<std::optional<std::string>(const std::string&)>& getenv = nullptr);

class ProcessGroup {
 public:
  /// nullptr when env.world_size == 1. Throws ecg::Error when the rendezvous fails
  /// within `timeout` or the device has no backend.
  static std::unique_ptr<ProcessGroup> create(const DistEnv& env, const c10::Device& device,
                                              std::chrono::seconds timeout = std::chrono::seconds(300));
  virtual ~ProcessGroup() = default;

  virtual int64_t rank() const = 0;
  virtual int64_t world_size() const = 0;
  /// Rank 0's parameters and buffers to every rank.
  virtual void broadcast_module(torch::nn::Module& module) = 0;
  /// Replaces each parameter's gradient by its mean over ranks (missing gradients count
  /// as zeros, so every rank takes the same step).
  virtual void average_gradients(torch::nn::Module& module, double bucket_mb = 25.0) = 0;
  /// Sum over ranks.
  virtual std::vector<double> sum(const std::vector<double>& values) = 0;
  /// Every rank's string, in rank order, on every rank.
  virtual std::vector<std::string> all_gather(const std::string& value) = 0;
  virtual void barrier() = 0;
};

}  // namespace ecg::train
