#include "models/vit.h"

#include <torch/torch.h>

#include "core/error.h"

namespace ecg::models {

VitBlockImpl::VitBlockImpl(int64_t dim, int64_t heads, int64_t hidden, double dropout) : dropout_(dropout) {
  norm1_ = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
  attn_ = register_module("attn", torch::nn::MultiheadAttention(torch::nn::MultiheadAttentionOptions(dim, heads)));
  norm2_ = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
  fc1_ = register_module("fc1", torch::nn::Linear(dim, hidden));
  fc2_ = register_module("fc2", torch::nn::Linear(hidden, dim));
}

torch::Tensor VitBlockImpl::forward(const torch::Tensor& x, torch::Tensor* attention) {
  const auto h = norm1_->forward(x);
  auto [a, weights] = attn_->forward(h, h, h);
  if (attention != nullptr) *attention = weights.detach();
  auto y = x + torch::dropout(a, dropout_, is_training());
  const auto m = fc2_->forward(torch::gelu(fc1_->forward(norm2_->forward(y))));
  return y + torch::dropout(m, dropout_, is_training());
}

VitImpl::VitImpl(VitOptions o) : options(std::move(o)) {
  ECG_CHECK(options.image_size().size() == 2, "vit: image_size must be [H, W], got ", options.image_size().size(),
            " values");
  const int64_t p = options.patch(), h = options.image_size()[0], w = options.image_size()[1];
  ECG_CHECK(p >= 1 && h % p == 0 && w % p == 0, "vit: image_size ", h, "x", w, " must be a multiple of patch ", p);
  ECG_CHECK(options.heads() >= 1 && options.dim() % options.heads() == 0, "vit: dim ", options.dim(),
            " must be a multiple of heads ", options.heads());
  patch_ = register_module(
      "patch", torch::nn::Conv2d(torch::nn::Conv2dOptions(options.in_channels(), options.dim(), p).stride(p)));
  cls_ = register_parameter("cls", torch::randn({1, 1, options.dim()}) * 0.02);
  pos_ = register_parameter("pos", torch::randn({1, 1 + (h / p) * (w / p), options.dim()}) * 0.02);
  const auto hidden = static_cast<int64_t>(std::llround(options.mlp_ratio() * static_cast<double>(options.dim())));
  for (int64_t i = 0; i < options.depth(); ++i) {
    blocks_.push_back(register_module("block" + std::to_string(i),
                                      VitBlock(options.dim(), options.heads(), hidden, options.dropout())));
  }
  norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({options.dim()})));
  if (options.num_classes() > 0)
    head_ = register_module("head", torch::nn::Linear(options.dim(), options.num_classes()));
  torch::NoGradGuard no_grad;
  torch::nn::init::kaiming_normal_(patch_->weight, 0, torch::kFanOut, torch::kReLU);
}

torch::Tensor VitImpl::features(const torch::Tensor& x) {
  return tokens(x)[0];
}

torch::Tensor VitImpl::tokens(const torch::Tensor& x) {
  const int64_t p = options.patch();
  ECG_CHECK(x.dim() == 4 && x.size(1) == options.in_channels() && x.size(2) % p == 0 && x.size(3) % p == 0 &&
                x.size(2) >= p && x.size(3) >= p,
            "vit: expected [batch, ", options.in_channels(), ", H, W] with H and W multiples of ", p, ", got ",
            x.sizes());
  auto t = patch_->forward(x);  // [B, D, gh, gw]
  const int64_t gh = t.size(2), gw = t.size(3), b = t.size(0);
  t = t.flatten(2).transpose(1, 2);  // [B, gh * gw, D]
  auto pos_grid = pos_.narrow(1, 1, pos_.size(1) - 1);
  const int64_t ph = options.image_size()[0] / p, pw = options.image_size()[1] / p;
  if (gh != ph || gw != pw) {
    // Resize the learned grid to this input's patch grid.
    auto g = pos_grid.reshape({1, ph, pw, -1}).permute({0, 3, 1, 2});
    g = torch::nn::functional::interpolate(g, torch::nn::functional::InterpolateFuncOptions()
                                                  .size(std::vector<int64_t>{gh, gw})
                                                  .mode(torch::kBilinear)
                                                  .align_corners(false));
    pos_grid = g.permute({0, 2, 3, 1}).reshape({1, gh * gw, -1});
  }
  t = torch::cat({cls_.expand({b, 1, -1}) + pos_.narrow(1, 0, 1), t + pos_grid}, 1);
  auto s = t.transpose(0, 1);  // [tokens, B, D] for MultiheadAttention
  attention_.assign(blocks_.size(), torch::Tensor());
  for (size_t i = 0; i < blocks_.size(); ++i) s = blocks_[i]->forward(s, &attention_[i]);
  return norm_->forward(s);
}

torch::Tensor VitImpl::forward(const torch::Tensor& x) {
  ECG_CHECK(!head_.is_empty(), "vit: built without a head (num_classes 0); use tokens() or features()");
  return head_->forward(features(x));
}

std::vector<torch::Tensor> VitImpl::example_inputs(int64_t batch) const {
  return {torch::randn({batch, options.in_channels(), options.image_size()[0], options.image_size()[1]})};
}

void register_vit(ModelRegistry& registry) {
  config::OptionsBinder<VitOptions> b("model 'vit'");
  ECG_BIND(b, image_size, "[H, W] of the position-embedding grid").length = 2;
  ECG_BIND(b, patch, "patch size in pixels").min_value = 1;
  ECG_BIND(b, in_channels, "image channels").min_value = 1;
  ECG_BIND(b, dim, "token width").min_value = 1;
  ECG_BIND(b, depth, "transformer blocks").min_value = 1;
  ECG_BIND(b, heads, "attention heads (divide dim)").min_value = 1;
  ECG_BIND(b, mlp_ratio, "MLP hidden width / dim").min_value = 0;
  auto& d = ECG_BIND(b, dropout, "dropout after attention and MLP");
  d.min_value = 0;
  d.max_value = 1;
  ECG_BIND(b, num_classes, "outputs").min_value = 1;
  registry.add("vit", "Vision Transformer (pre-norm, class token, attention maps)", b,
               [](const VitOptions& o) { return Vit(o).ptr(); });
}

}  // namespace ecg::models
