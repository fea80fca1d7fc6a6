#pragma once
// vit_detr: a DETR-style set predictor (Carion et al. 2020) on a ViT encoder, for ECG
// keypoints (P, Q, R, S, T peaks) or boxes (waves).
//   encoder: vit tokens (see vit.h); decoder: decoder_depth post-norm Transformer decoder
//   layers over `queries` learned object queries; after every decoder layer a shared
//   LayerNorm and two heads: class logits (num_classes + "no object") and coordinates
//   (an MLP dim -> dim -> dim -> D with sigmoid, normalised to [0, 1] of the image;
//   keypoint (x, y): D = 2; box (cx, cy, w, h): D = 4).
//   forward: x [batch, in_channels, H, W] -> [batch, decoder_depth, queries,
//   num_classes + 1 + D]: the last layer is the prediction, the others feed DETR's
//   auxiliary losses. Train with the `detr` loss (losses/set_loss.h), whose Hungarian
//   matcher pairs queries with targets.
// Initialisation: queries N(0, 1); the rest as in vit.h and LibTorch's defaults.

#include <torch/arg.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/modules/transformerlayer.h>

#include <string>
#include <vector>

#include "models/vit.h"

namespace ecg::models {

struct VitDetrOptions {
  TORCH_ARG(std::vector<int64_t>, image_size) = std::vector<int64_t>{64, 256};
  TORCH_ARG(int64_t, patch) = 16;
  TORCH_ARG(int64_t, in_channels) = 3;
  TORCH_ARG(int64_t, dim) = 128;
  TORCH_ARG(int64_t, encoder_depth) = 4;
  TORCH_ARG(int64_t, decoder_depth) = 3;
  TORCH_ARG(int64_t, heads) = 4;
  TORCH_ARG(int64_t, queries) = 20;
  TORCH_ARG(int64_t, num_classes) = 5;          // P, Q, R, S, T
  TORCH_ARG(std::string, coords) = "keypoint";  // keypoint | box
  TORCH_ARG(double, dropout) = 0.0;
};

class VitDetrImpl : public EcgModel {
 public:
  explicit VitDetrImpl(VitDetrOptions options);
  torch::Tensor forward(const torch::Tensor& x) override;
  std::vector<torch::Tensor> example_inputs(int64_t batch) const override;
  VitDetrOptions options;

 private:
  Vit encoder_{nullptr};
  torch::Tensor query_;
  std::vector<torch::nn::TransformerDecoderLayer> decoder_;
  torch::nn::LayerNorm norm_{nullptr};
  torch::nn::Linear class_head_{nullptr}, box1_{nullptr}, box2_{nullptr}, box3_{nullptr};
};
TORCH_MODULE(VitDetr);

void register_vit_detr(ModelRegistry& registry);

}  // namespace ecg::models
