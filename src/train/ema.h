#pragma once
// Exponential moving average of a model's weights (Polyak averaging):
//   shadow <- decay * shadow + (1 - decay) * param   after every optimizer step,
// buffers (BatchNorm statistics) copied as they are. Validation and best.pt use the
// shadow weights when the trainer has an EMA (trainer.ema_decay > 0).
//
//   Ema ema(*model, 0.999);
//   ... optimizer.step(); ema.update(*model);
//   { Ema::Swap s(ema, *model); validate(); }   // shadow weights in the model meanwhile

#include <torch/nn/module.h>
#include <torch/serialize/archive.h>

#include <string>
#include <vector>

namespace ecg::train {

class Ema {
 public:
  /// Starts from a copy of the model's current weights. Throws ecg::Error unless 0 < decay < 1.
  Ema(const torch::nn::Module& model, double decay);

  void update(const torch::nn::Module& model);
  double decay() const { return decay_; }

  /// Copies the shadow weights into `model` for the lifetime of the guard, and puts the
  /// model's own weights back after.
  class Swap {
   public:
    Swap(Ema& ema, torch::nn::Module& model);
    ~Swap();
    Swap(const Swap&) = delete;
    Swap& operator=(const Swap&) = delete;

   private:
    Ema& ema_;
    torch::nn::Module& model_;
    std::vector<torch::Tensor> saved_;
  };

  /// Copies the shadow weights into `model` for good (inference from a checkpoint).
  void copy_to(torch::nn::Module& model) const;

  void save(torch::serialize::OutputArchive& archive) const;
  /// Throws ecg::Error when the archive's tensors do not match the model's.
  void load(torch::serialize::InputArchive& archive);

 private:
  std::vector<std::string> names_;
  std::vector<torch::Tensor> shadow_;
  size_t num_params_ = 0;  // shadow_[0, num_params_) are parameters, the rest buffers
  double decay_;
};

}  // namespace ecg::train
