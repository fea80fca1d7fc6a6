#include "models/vit_detr.h"

#include <torch/torch.h>

#include "core/error.h"

namespace ecg::models {

VitDetrImpl::VitDetrImpl(VitDetrOptions o) : options(std::move(o)) {
  ECG_CHECK(options.coords() == "keypoint" || options.coords() == "box",
            "vit_detr: coords must be keypoint or box, got '", options.coords(), "'");
  ECG_CHECK(options.queries() >= 1 && options.decoder_depth() >= 1 && options.num_classes() >= 1,
            "vit_detr: queries, decoder_depth and num_classes must be >= 1");
  encoder_ = register_module("encoder", Vit(VitOptions()
                                                .image_size(options.image_size())
                                                .patch(options.patch())
                                                .in_channels(options.in_channels())
                                                .dim(options.dim())
                                                .depth(options.encoder_depth())
                                                .heads(options.heads())
                                                .dropout(options.dropout())
                                                .num_classes(0)));
  query_ = register_parameter("query", torch::randn({options.queries(), 1, options.dim()}));
  for (int64_t i = 0; i < options.decoder_depth(); ++i) {
    decoder_.push_back(register_module(
        "decoder" + std::to_string(i),
        torch::nn::TransformerDecoderLayer(torch::nn::TransformerDecoderLayerOptions(options.dim(), options.heads())
                                               .dim_feedforward(4 * options.dim())
                                               .dropout(options.dropout()))));
  }
  norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({options.dim()})));
  class_head_ = register_module("class_head", torch::nn::Linear(options.dim(), options.num_classes() + 1));
  const int64_t d = options.coords() == "box" ? 4 : 2;
  box1_ = register_module("box1", torch::nn::Linear(options.dim(), options.dim()));
  box2_ = register_module("box2", torch::nn::Linear(options.dim(), options.dim()));
  box3_ = register_module("box3", torch::nn::Linear(options.dim(), d));
}

torch::Tensor VitDetrImpl::forward(const torch::Tensor& x) {
  const auto memory = encoder_->tokens(x);  // [tokens, B, D]
  auto tgt = query_.expand({-1, x.size(0), -1});
  std::vector<torch::Tensor> layers;
  for (auto& layer : decoder_) {
    tgt = layer->forward(tgt, memory);
    const auto h = norm_->forward(tgt).transpose(0, 1);  // [B, Q, D]
    const auto coords = torch::sigmoid(box3_->forward(torch::relu(box2_->forward(torch::relu(box1_->forward(h))))));
    layers.push_back(torch::cat({class_head_->forward(h), coords}, -1));
  }
  return torch::stack(layers, 1);
}

std::vector<torch::Tensor> VitDetrImpl::example_inputs(int64_t batch) const {
  return {torch::randn({batch, options.in_channels(), options.image_size()[0], options.image_size()[1]})};
}

void register_vit_detr(ModelRegistry& registry) {
  config::OptionsBinder<VitDetrOptions> b("model 'vit_detr'");
  ECG_BIND(b, image_size, "[H, W] of the encoder's position grid").length = 2;
  ECG_BIND(b, patch, "patch size in pixels").min_value = 1;
  ECG_BIND(b, in_channels, "image channels").min_value = 1;
  ECG_BIND(b, dim, "token width (a multiple of heads)").min_value = 1;
  ECG_BIND(b, encoder_depth, "ViT blocks").min_value = 1;
  ECG_BIND(b, decoder_depth, "decoder layers (each adds an auxiliary output)").min_value = 1;
  ECG_BIND(b, heads, "attention heads").min_value = 1;
  ECG_BIND(b, queries, "object queries (>= targets per image)").min_value = 1;
  ECG_BIND(b, num_classes, "object classes without 'no object' (PQRST: 5)").min_value = 1;
  ECG_BIND(b, coords, "keypoint (x, y) | box (cx, cy, w, h)").choices = {"keypoint", "box"};
  auto& d = ECG_BIND(b, dropout, "dropout in encoder and decoder");
  d.min_value = 0;
  d.max_value = 1;
  registry.add("vit_detr", "ViT encoder + DETR decoder for keypoints or boxes (train with loss 'detr')", b,
               [](const VitDetrOptions& o) { return VitDetr(o).ptr(); });
}

}  // namespace ecg::models
