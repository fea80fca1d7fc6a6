#pragma once
// multimodal: a page image, a 12-lead signal and clinical metadata, fused by cross-modal
// attention with a gate per modality, for multi-label diagnosis with severity and
// confidence, and MC-dropout uncertainty.
//
// Encoders (every modality becomes a token sequence of width dim):
//   image     [batch, in_channels, H, W]: a headless ViT (vit.h); H, W multiples of patch.
//   signal    [batch, leads, samples] mV: a multi-scale 1-D CNN, each stage parallel
//             convolutions of every `kernels` size, concatenated, a 1x1 convolution ->
//             BatchNorm -> ReLU and a max-pool of 2; adaptive average pooling to
//             signal_tokens steps, a linear map to dim and learned position embeddings.
//             samples >= 2^len(signal_widths).
//   numeric   [batch, numeric_features] float, NaN = unknown: an MLP over the values
//             (NaN -> 0) and their missing flags -> one token.
//   categorical [batch, len(categorical_cardinalities)] int64, -1 = unknown: one embedding
//             per field (an extra row for unknown) -> one token per field.
//   Numeric and categorical tokens form the "metadata" modality.
// Fusion: a learned query attends over each modality's tokens (one attention per
//   modality) -> a summary per modality; an absent modality is replaced by a learned
//   "missing" token. The three summaries (+ modality embeddings) pass one Transformer
//   encoder layer (cross-modal attention); a sigmoid gate per modality, times the
//   modality's presence, weights them: fused = sum_m g_m s_m / (sum_m g_m + 1e-6).
// Heads: Linear -> GELU -> dropout, then diagnosis logits (multi-label: train with bce),
//   severity (a real number) and confidence (a logit: the probability the diagnosis is
//   right). forward* returns [batch, num_classes + 2] = [logits | severity | confidence].
// Missing modalities: an undefined input tensor drops the modality for the whole batch;
//   `present` [batch, 3] (1 = present; image, signal, metadata) drops it per example.
//   forward(x) takes a signal (3-D) or an image (4-D) alone.
// Uncertainty: predict_with_uncertainty(inputs, n) runs n MC-dropout passes and returns
//   the mean and variance of [sigmoid(logits) | severity | sigmoid(confidence)].
// Initialisation: ViT as in vit.h, convolutions as in cnn1d.h; the query, missing tokens
//   and embeddings N(0, 0.02); linear layers LibTorch's default.

#include <torch/arg.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/transformerlayer.h>

#include <string>
#include <vector>

#include "models/mc_dropout.h"
#include "models/vit.h"

namespace ecg::models {

struct MultimodalOptions {
  TORCH_ARG(int64_t, num_classes) = 5;  // PTB-XL superclasses
  TORCH_ARG(int64_t, dim) = 128;        // token width of every modality
  TORCH_ARG(int64_t, heads) = 4;
  TORCH_ARG(double, dropout) = 0.1;
  // image
  TORCH_ARG(std::vector<int64_t>, image_size) = std::vector<int64_t>{128, 256};
  TORCH_ARG(int64_t, patch) = 16;
  TORCH_ARG(int64_t, in_channels) = 3;
  TORCH_ARG(int64_t, image_depth) = 4;
  // signal
  TORCH_ARG(int64_t, leads) = 12;
  TORCH_ARG(std::vector<int64_t>, signal_widths) = std::vector<int64_t>{32, 64, 128};
  TORCH_ARG(std::vector<int64_t>, kernels) = std::vector<int64_t>{3, 9, 15};
  TORCH_ARG(int64_t, signal_tokens) = 16;
  // metadata
  TORCH_ARG(int64_t, numeric_features) = 3;                                                 // e.g. age, height, weight
  TORCH_ARG(std::vector<int64_t>, categorical_cardinalities) = std::vector<int64_t>{2, 8};  // e.g. sex, site
};

struct MultimodalInputs {
  torch::Tensor image, signal, numeric, categorical;
  torch::Tensor present;  // optional [batch, 3] float
};

class MultimodalImpl : public EcgModel {
 public:
  static constexpr int64_t kModalities = 3;  // image, signal, metadata

  explicit MultimodalImpl(MultimodalOptions options);
  torch::Tensor forward(const torch::Tensor& x) override;
  std::vector<torch::Tensor> example_inputs(int64_t batch) const override;
  torch::Tensor forward(const MultimodalInputs& in);
  std::vector<std::string> input_names() const override;
  torch::Tensor forward_inputs(const std::vector<torch::Tensor>& inputs) override;
  UncertainPrediction predict_with_uncertainty(const MultimodalInputs& in, int64_t n_samples);
  /// The gates g_m * presence of the last forward: [batch, 3].
  const torch::Tensor& gates() const { return gates_; }
  MultimodalOptions options;

 private:
  torch::Tensor signal_tokens(const torch::Tensor& x);
  torch::Tensor metadata_tokens(const torch::Tensor& numeric, const torch::Tensor& categorical);

  Vit image_{nullptr};
  std::vector<std::vector<torch::nn::Conv1d>> branches_;
  std::vector<torch::nn::Sequential> merge_;
  torch::nn::Linear signal_proj_{nullptr};
  torch::Tensor signal_pos_;
  torch::nn::Sequential numeric_mlp_{nullptr};
  std::vector<torch::nn::Embedding> embeddings_;
  torch::Tensor query_, missing_, modality_embedding_;
  std::vector<torch::nn::MultiheadAttention> pool_;
  torch::nn::TransformerEncoderLayer cross_{nullptr};
  std::vector<torch::nn::Linear> gate_;
  torch::nn::Linear trunk_{nullptr}, diagnosis_{nullptr}, severity_{nullptr}, confidence_{nullptr};
  torch::Tensor gates_;
};
TORCH_MODULE(Multimodal);

void register_multimodal(ModelRegistry& registry);

}  // namespace ecg::models
