#pragma once
// 1-D convolutional models for ECG signals.
//
// signal_cnn1d: a tiny CNN for 1 s beat / anomaly windows, under 100k parameters.
//   forward: x [batch, leads, samples] mV -> logits [batch, num_classes].
//   3 x (Conv1d k7/k5/k5 -> BatchNorm (or GroupNorm) -> ReLU, max-pool 2 after the first two), global
//   average pool, dropout, linear. Default 1 lead, 5 classes (AAMI N, S, V, F, Q):
//   10,789 parameters with widths 16/32/48.
// resnet1d: a 1-D ResNet for 12-lead, 10 s classification, after resnet1d_wang of the
//   PTB-XL benchmark (Strodthoff et al. 2021): a k7 stem, one residual stage per width
//   (two convs of kernel_size each, stride 2 from the second stage, 1x1 projection
//   shortcuts), concatenated global average and max pooling, dropout, linear.
//   forward: x [batch, leads, samples] -> logits [batch, num_classes]. Any length >= 8.
//
// Initialisation: convolutions Kaiming-normal (fan_out, ReLU), BatchNorm weight 1 and
// bias 0, linear layers LibTorch's default (Kaiming-uniform).

#include <torch/arg.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include <string>
#include <vector>

#include "models/ecg_model.h"

namespace ecg::models {

struct SignalCnn1dOptions {
  TORCH_ARG(int64_t, leads) = 1;
  TORCH_ARG(int64_t, num_classes) = 5;
  TORCH_ARG(std::vector<int64_t>, widths) = std::vector<int64_t>{16, 32, 48};
  TORCH_ARG(double, dropout) = 0.2;
  TORCH_ARG(std::string, norm) = "batch";  // batch | group (GroupNorm, gcd(width, 8) groups)
};

class SignalCnn1dImpl : public EcgModel {
 public:
  explicit SignalCnn1dImpl(SignalCnn1dOptions options);
  torch::Tensor forward(const torch::Tensor& x) override;
  std::vector<torch::Tensor> example_inputs(int64_t batch) const override;
  SignalCnn1dOptions options;

 private:
  torch::nn::Sequential features_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear head_{nullptr};
};
TORCH_MODULE(SignalCnn1d);

struct ResNet1dOptions {
  TORCH_ARG(int64_t, leads) = 12;
  TORCH_ARG(int64_t, num_classes) = 5;
  TORCH_ARG(std::vector<int64_t>, widths) = std::vector<int64_t>{64, 128, 128};
  TORCH_ARG(int64_t, kernel_size) = 5;  // samples; odd
  TORCH_ARG(double, dropout) = 0.25;
};

class ResNet1dImpl : public EcgModel {
 public:
  explicit ResNet1dImpl(ResNet1dOptions options);
  torch::Tensor forward(const torch::Tensor& x) override;
  std::vector<torch::Tensor> example_inputs(int64_t batch) const override;
  ResNet1dOptions options;

 private:
  torch::nn::Sequential stem_{nullptr};
  std::vector<torch::nn::Sequential> main_;
  std::vector<torch::nn::Sequential> shortcut_;
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear head_{nullptr};
};
TORCH_MODULE(ResNet1d);

/// Kaiming-normal convolutions, unit BatchNorm (see the header comment).
void init_weights(torch::nn::Module& module);

void register_cnn1d_models(ModelRegistry& registry);

}  // namespace ecg::models
