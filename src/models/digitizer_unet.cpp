#include "models/digitizer_unet.h"

#include <torch/torch.h>

#include "core/error.h"
#include "models/cnn1d.h"

namespace ecg::models {
namespace {

// Two (3x3 conv -> BatchNorm -> ReLU).
torch::nn::Sequential double_conv(int64_t in, int64_t out) {
  torch::nn::Sequential s;
  for (int i = 0; i < 2; ++i) {
    s->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(i == 0 ? in : out, out, 3).padding(1).bias(false)));
    s->push_back(torch::nn::BatchNorm2d(out));
    s->push_back(torch::nn::ReLU());
  }
  return s;
}

torch::Tensor upsample2x(const torch::Tensor& x) {
  namespace F = torch::nn::functional;
  return F::interpolate(x, F::InterpolateFuncOptions()
                               .scale_factor(std::vector<double>{2.0, 2.0})
                               .mode(torch::kBilinear)
                               .align_corners(false));
}

// E[row + 0.5] under a softmax over dim 2 (the image rows) of [B, L, H, ...].
torch::Tensor expected_row(const torch::Tensor& logits) {
  const auto p = torch::softmax(logits, 2);
  auto rows = torch::arange(logits.size(2), logits.options()) + 0.5;
  std::vector<int64_t> shape(static_cast<size_t>(logits.dim()), 1);
  shape[2] = logits.size(2);
  return (p * rows.view(shape)).sum(2);
}

}  // namespace

torch::Tensor pixels_to_mv(const torch::Tensor& y_px, const torch::Tensor& baseline_px, const torch::Tensor& px_per_mm,
                           double mm_per_mv) {
  ECG_CHECK(y_px.dim() == 3 && baseline_px.dim() == 2 && baseline_px.size(0) == y_px.size(0) &&
                baseline_px.size(1) == y_px.size(1),
            "pixels_to_mv: expected y_px [batch, leads, W] and baseline_px [batch, leads], got ", y_px.sizes(), " and ",
            baseline_px.sizes());
  ECG_CHECK(px_per_mm.dim() == 0 || (px_per_mm.dim() == 1 && px_per_mm.size(0) == y_px.size(0)),
            "pixels_to_mv: px_per_mm must be a scalar or [batch], got ", px_per_mm.sizes());
  ECG_CHECK(mm_per_mv > 0, "pixels_to_mv: mm_per_mv must be > 0, got ", mm_per_mv);
  const auto scale = (px_per_mm.dim() == 0 ? px_per_mm : px_per_mm.view({-1, 1, 1})) * mm_per_mv;
  return (baseline_px.unsqueeze(2) - y_px) / scale;
}

DigitizerUnetImpl::DigitizerUnetImpl(DigitizerUnetOptions o) : options(std::move(o)) {
  const auto& enc = options.encoder();
  ECG_CHECK(enc == "plain" || enc == "resnet18" || enc == "resnet34" || enc == "mobilenet_v2",
            "digitizer_unet: encoder must be plain, resnet18, resnet34 or mobilenet_v2, got '", enc, "'");
  ECG_CHECK(options.head() == "coordinate" || options.head() == "mask" || options.head() == "both",
            "digitizer_unet: head must be coordinate, mask or both, got '", options.head(), "'");
  ECG_CHECK(options.leads() >= 1 && options.px_per_mm() > 0 && options.mm_per_mv() > 0,
            "digitizer_unet: leads, px_per_mm and mm_per_mv must be > 0");
  int64_t out_channels = 0;
  if (enc == "plain") {
    const auto& w = options.widths();
    ECG_CHECK(w.size() >= 2, "digitizer_unet: widths needs at least 2 stages, got ", w.size());
    for (size_t i = 0; i < w.size(); ++i)
      down_.push_back(
          register_module("down" + std::to_string(i), double_conv(i == 0 ? options.in_channels() : w[i - 1], w[i])));
    for (size_t i = w.size() - 1; i-- > 0;)
      up_.push_back(register_module("up" + std::to_string(i), double_conv(w[i + 1] + w[i], w[i])));
    stride_ = int64_t{1} << (w.size() - 1);
    out_channels = w[0];
  } else {
    std::vector<int64_t> c;
    if (enc == "mobilenet_v2") {
      mobilenet_ = register_module("encoder", MobileNetV2(MobileNetV2Options().in_channels(options.in_channels())));
      c = mobilenet_->stage_channels();
    } else {
      resnet_ = register_module(
          "encoder", ResNet2d(ResNet2dOptions().depth(enc == "resnet18" ? 18 : 34).in_channels(options.in_channels())));
      c = resnet_->stage_channels();
    }
    const int64_t d = options.decoder_width();
    ECG_CHECK(d >= 1, "digitizer_unet: decoder_width must be >= 1");
    int64_t deep = c[4];
    for (int i = 3; i >= 0; --i) {
      up_.push_back(register_module("up" + std::to_string(i), double_conv(deep + c[static_cast<size_t>(i)], d)));
      deep = d;
    }
    final_ = register_module("final", double_conv(d + options.in_channels(), d));
    stride_ = 32;
    out_channels = d;
  }
  const int64_t leads = options.leads();
  if (options.head() != "mask") {
    trace_head_ = register_module("trace_head", torch::nn::Conv2d(torch::nn::Conv2dOptions(out_channels, leads, 1)));
    baseline_head_ =
        register_module("baseline_head", torch::nn::Conv2d(torch::nn::Conv2dOptions(out_channels, leads, 1)));
  }
  if (options.head() != "coordinate")
    mask_head_ = register_module("mask_head", torch::nn::Conv2d(torch::nn::Conv2dOptions(out_channels, leads, 1)));
  // The heads keep LibTorch's default initialisation; everything else as in cnn1d.h.
  std::vector<torch::Tensor> head_weights;
  for (auto* h : {&trace_head_, &baseline_head_, &mask_head_})
    if (!h->is_empty()) head_weights.push_back((*h)->weight.detach().clone());
  init_weights(*this);
  torch::NoGradGuard no_grad;
  size_t k = 0;
  for (auto* h : {&trace_head_, &baseline_head_, &mask_head_})
    if (!h->is_empty()) (*h)->weight.copy_(head_weights[k++]);
}

torch::Tensor DigitizerUnetImpl::features(const torch::Tensor& x) {
  ECG_CHECK(x.dim() == 4 && x.size(1) == options.in_channels() && x.size(2) % stride_ == 0 &&
                x.size(3) % stride_ == 0 && x.size(2) >= stride_ && x.size(3) >= stride_,
            "digitizer_unet: expected [batch, ", options.in_channels(), ", H, W] with H and W multiples of ", stride_,
            ", got ", x.sizes());
  if (options.encoder() == "plain") {
    std::vector<torch::Tensor> skips;
    auto h = x;
    for (size_t i = 0; i < down_.size(); ++i) {
      if (i > 0) h = torch::max_pool2d(h, 2);
      h = down_[i]->forward(h);
      skips.push_back(h);
    }
    for (size_t j = 0; j < up_.size(); ++j) {
      const auto& skip = skips[skips.size() - 2 - j];
      h = up_[j]->forward(torch::cat({upsample2x(h), skip}, 1));
    }
    return h;
  }
  const auto s = resnet_.is_empty() ? mobilenet_->stages(x) : resnet_->stages(x);
  auto h = s[4];
  for (size_t j = 0; j < up_.size(); ++j) h = up_[j]->forward(torch::cat({upsample2x(h), s[3 - j]}, 1));
  return final_->forward(torch::cat({upsample2x(h), x}, 1));
}

DigitizerOutputs DigitizerUnetImpl::outputs(const torch::Tensor& x, const torch::Tensor& px_per_mm) {
  const auto f = features(x);
  DigitizerOutputs out;
  if (!trace_head_.is_empty()) {
    out.y_px = expected_row(trace_head_->forward(f));                    // [B, L, W]
    out.baseline_px = expected_row(baseline_head_->forward(f).mean(3));  // [B, L]
    const auto scale = px_per_mm.defined() ? px_per_mm : torch::tensor(options.px_per_mm(), x.options());
    out.mv = pixels_to_mv(out.y_px, out.baseline_px, scale, options.mm_per_mv());
  }
  if (!mask_head_.is_empty()) out.mask_logits = mask_head_->forward(f);
  return out;
}

torch::Tensor DigitizerUnetImpl::forward(const torch::Tensor& x) {
  auto o = outputs(x);
  return options.head() == "mask" ? o.mask_logits : o.mv;
}

// The quickstart's page: 384 x 512 pixels.
std::vector<torch::Tensor> DigitizerUnetImpl::example_inputs(int64_t batch) const {
  return {torch::randn({batch, options.in_channels(), 384, 512})};
}

void register_digitizer_unet(ModelRegistry& registry) {
  config::OptionsBinder<DigitizerUnetOptions> b("model 'digitizer_unet'");
  ECG_BIND(b, in_channels, "image channels").min_value = 1;
  ECG_BIND(b, leads, "output traces").min_value = 1;
  ECG_BIND(b, encoder, "plain U-Net or a 2-D backbone").choices = {"plain", "resnet18", "resnet34", "mobilenet_v2"};
  ECG_BIND(b, widths, "plain encoder: channels per stage (depth = count)").min_value = 1;
  ECG_BIND(b, decoder_width, "backbone encoders: channels of each decoder stage").min_value = 1;
  ECG_BIND(b, head, "coordinate: mV per column | mask: trace masks | both").choices = {"coordinate", "mask", "both"};
  ECG_BIND(b, px_per_mm, "vertical grid scale of the input image, pixels per mm").min_value = 0;
  ECG_BIND(b, mm_per_mv, "gain of the page, mm per mV").min_value = 0;
  registry.add("digitizer_unet", "U-Net page digitiser: coordinate head (softmax over y -> mV) or trace masks", b,
               [](const DigitizerUnetOptions& o) { return DigitizerUnet(o).ptr(); });
}

}  // namespace ecg::models
