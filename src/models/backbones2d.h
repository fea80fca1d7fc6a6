#pragma once
// 2-D image backbones for ECG page classification, with torchvision's topology (so
// their parameter counts match torchvision's: resnet18 11,689,512 and mobilenet_v2
// 3,504,872 with 1000 classes).
//
// resnet:       depth 18 or 34 (BasicBlocks [2,2,2,2] / [3,4,6,3]), 7x7 stride-2 stem,
//               max-pool, global average pool, linear.
// mobilenet_v2: inverted residual blocks (Sandler et al. 2018), width multiplier, ReLU6,
//               dropout 0.2 before the linear head.
// forward: x [batch, in_channels, H, W] (H, W >= 32) -> logits [batch, num_classes].
// Initialisation as in cnn1d.h (Kaiming-normal convolutions, unit BatchNorm).

#include <torch/arg.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include <vector>

#include "models/ecg_model.h"

namespace ecg::models {

struct ResNet2dOptions {
  TORCH_ARG(int64_t, depth) = 18;  // 18 | 34
  TORCH_ARG(int64_t, in_channels) = 3;
  TORCH_ARG(int64_t, num_classes) = 5;
};

class ResNet2dImpl : public EcgModel {
 public:
  explicit ResNet2dImpl(ResNet2dOptions options);
  torch::Tensor forward(const torch::Tensor& x) override;
  std::vector<torch::Tensor> example_inputs(int64_t batch) const override;
  /// Encoder features for U-Net decoders: 5 maps at strides 2, 4, 8, 16, 32 with
  /// stage_channels() channels (the stem's ReLU, then the four stages).
  std::vector<torch::Tensor> stages(const torch::Tensor& x);
  std::vector<int64_t> stage_channels() const { return {64, 64, 128, 256, 512}; }
  ResNet2dOptions options;

 private:
  torch::nn::Sequential stem_{nullptr};
  std::vector<torch::nn::Sequential> blocks_, downsample_;
  std::vector<size_t> stage_end_;  // index of each stage's last block
  torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(ResNet2d);

struct MobileNetV2Options {
  TORCH_ARG(int64_t, in_channels) = 3;
  TORCH_ARG(int64_t, num_classes) = 5;
  TORCH_ARG(double, width_mult) = 1.0;
  TORCH_ARG(double, dropout) = 0.2;
};

class MobileNetV2Impl : public EcgModel {
 public:
  explicit MobileNetV2Impl(MobileNetV2Options options);
  torch::Tensor forward(const torch::Tensor& x) override;
  std::vector<torch::Tensor> example_inputs(int64_t batch) const override;
  /// Encoder features at strides 2, 4, 8, 16, 32 (after blocks 0, 2, 5, 12 and 16).
  std::vector<torch::Tensor> stages(const torch::Tensor& x);
  std::vector<int64_t> stage_channels() const;
  MobileNetV2Options options;

 private:
  torch::nn::Sequential stem_{nullptr}, last_{nullptr};
  std::vector<torch::nn::Sequential> blocks_;
  std::vector<bool> residual_;
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(MobileNetV2);

void register_backbones2d(ModelRegistry& registry);

}  // namespace ecg::models
