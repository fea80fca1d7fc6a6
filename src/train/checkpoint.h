#pragma once
// Checkpoints: one file per checkpoint, a LibTorch archive holding
//   "meta"       JSON (as bytes): format "ecgtorch-checkpoint", version, step, epoch,
//                the resolved config (YAML text), git SHA, ecgtorch version, the data
//                manifest hash, the scheduler / scaler / trainer states and the metrics
//                of the last validation;
//   "model"      the model's parameters and buffers;
//   "optimizer"  the optimizer's state;
//   "ema"        the EMA weights (when the run has one);
//   "rng/cpu"    LibTorch's CPU generator state (dropout, random init); data order is a
//                function of (seed, epoch) and needs none.
// Files are written atomically (temp file + rename): a crash leaves the previous one.
//
//   save_checkpoint(dir / "step_000100.pt", {meta, model, optimizer, ema});
//   CheckpointMeta m = read_checkpoint_meta(path);          // no model needed
//   load_checkpoint(path, {nullptr, model, optimizer, ema}); // fills what is given

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "train/ema.h"

namespace ecg::train {

constexpr int kCheckpointVersion = 1;

/// What save_checkpoint() writes and load_checkpoint() fills. Null pointers are skipped.
struct CheckpointParts {
  nlohmann::json* meta = nullptr;
  torch::nn::Module* model = nullptr;
  torch::optim::Optimizer* optimizer = nullptr;
  Ema* ema = nullptr;
  bool rng = true;  // save / restore the CPU generator
};

/// Writes the parts atomically; meta gets "format" and "version" added.
void save_checkpoint(const std::filesystem::path& path, const CheckpointParts& parts);

/// Reads the parts that are given. Throws ecg::Error naming the file when it is not an
/// ecgtorch checkpoint, its version is newer, or a part is missing or does not fit.
void load_checkpoint(const std::filesystem::path& path, const CheckpointParts& parts);

/// Only the meta JSON.
nlohmann::json read_checkpoint_meta(const std::filesystem::path& path);

/// Step checkpoints ("step_<8 digits>.pt") in `dir`, sorted by step.
std::vector<std::filesystem::path> list_step_checkpoints(const std::filesystem::path& dir);

/// Removes all but the newest `keep` step checkpoints.
void prune_step_checkpoints(const std::filesystem::path& dir, int64_t keep);

/// "step_00000100.pt"
std::string step_checkpoint_name(int64_t step);

}  // namespace ecg::train
