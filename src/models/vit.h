#pragma once
// vit: Vision Transformer (Dosovitskiy et al. 2021) for ECG images.
//   Patch embedding (a patch x patch convolution of stride patch), a class token, learned
//   position embeddings for the image_size grid (bilinearly resized for other sizes),
//   depth pre-norm blocks (LayerNorm -> multi-head self-attention -> residual; LayerNorm
//   -> MLP with GELU -> residual), a final LayerNorm and a linear head on the class token.
//   forward: x [batch, in_channels, H, W], H and W multiples of patch -> logits
//   [batch, num_classes]. num_classes 0 (C++ only) builds an encoder without a head. ViT-Ti/16 (dim 192, depth 12,
//   heads 3, 224 x 224, 1000 classes) has 5,717,416 parameters, as in timm. attention_maps(): after a forward, one
//   tensor per block, [batch, tokens, tokens], averaged over heads; rows sum to 1. Token 0 is the class token.
// Initialisation: position embeddings and class token N(0, 0.02); linear layers
// LibTorch's default; patch embedding Kaiming-normal.

#include <torch/arg.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <vector>

#include "models/ecg_model.h"

namespace ecg::models {

struct VitOptions {
  TORCH_ARG(std::vector<int64_t>, image_size) = std::vector<int64_t>{224, 224};  // H, W of the position grid
  TORCH_ARG(int64_t, patch) = 16;
  TORCH_ARG(int64_t, in_channels) = 3;
  TORCH_ARG(int64_t, dim) = 192;
  TORCH_ARG(int64_t, depth) = 6;
  TORCH_ARG(int64_t, heads) = 3;
  TORCH_ARG(double, mlp_ratio) = 4.0;
  TORCH_ARG(double, dropout) = 0.0;
  TORCH_ARG(int64_t, num_classes) = 5;
};

class VitBlockImpl : public torch::nn::Module {
 public:
  VitBlockImpl(int64_t dim, int64_t heads, int64_t hidden, double dropout);
  /// x [tokens, batch, dim] -> same; *attention receives [batch, tokens, tokens].
  torch::Tensor forward(const torch::Tensor& x, torch::Tensor* attention);

 private:
  torch::nn::LayerNorm norm1_{nullptr}, norm2_{nullptr};
  torch::nn::MultiheadAttention attn_{nullptr};
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
  double dropout_;
};
TORCH_MODULE(VitBlock);

class VitImpl : public EcgModel {
 public:
  explicit VitImpl(VitOptions options);
  torch::Tensor forward(const torch::Tensor& x) override;
  std::vector<torch::Tensor> example_inputs(int64_t batch) const override;
  /// Class-token features before the head: [batch, dim].
  torch::Tensor features(const torch::Tensor& x);
  /// Every token after the final LayerNorm: [tokens, batch, dim] (token 0: class).
  torch::Tensor tokens(const torch::Tensor& x);
  const std::vector<torch::Tensor>& attention_maps() const { return attention_; }
  VitOptions options;

 private:
  torch::nn::Conv2d patch_{nullptr};
  torch::Tensor cls_, pos_;
  std::vector<VitBlock> blocks_;
  torch::nn::LayerNorm norm_{nullptr};
  torch::nn::Linear head_{nullptr};
  std::vector<torch::Tensor> attention_;
};
TORCH_MODULE(Vit);

void register_vit(ModelRegistry& registry);

}  // namespace ecg::models
