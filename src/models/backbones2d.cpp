#include "models/backbones2d.h"

#include <torch/torch.h>

#include <algorithm>

#include "core/error.h"
#include "models/cnn1d.h"

namespace ecg::models {
namespace {

torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t groups = 1) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in, out, k).stride(stride).padding((k - 1) / 2).groups(groups).bias(false));
}

// Appends Conv2d -> BatchNorm2d -> ReLU6.
void add_conv_bn_relu6(torch::nn::Sequential& s, int64_t in, int64_t out, int64_t k, int64_t stride,
                       int64_t groups = 1) {
  s->push_back(conv(in, out, k, stride, groups));
  s->push_back(torch::nn::BatchNorm2d(out));
  s->push_back(torch::nn::ReLU6());
}

// torchvision's _make_divisible: round to a multiple of 8, never below 90 % of v.
int64_t divisible(double v, int64_t d = 8) {
  int64_t r = std::max<int64_t>(d, static_cast<int64_t>(v + d / 2.0) / d * d);
  if (static_cast<double>(r) < 0.9 * v) r += d;
  return r;
}

void check_image(const char* who, const torch::Tensor& x, int64_t channels) {
  ECG_CHECK(x.dim() == 4 && x.size(1) == channels && x.size(2) >= 32 && x.size(3) >= 32, who, ": expected [batch, ",
            channels, ", H >= 32, W >= 32], got ", x.sizes());
}

}  // namespace

ResNet2dImpl::ResNet2dImpl(ResNet2dOptions o) : options(std::move(o)) {
  ECG_CHECK(options.depth() == 18 || options.depth() == 34, "resnet: depth must be 18 or 34, got ", options.depth());
  const std::vector<int64_t> layers =
      options.depth() == 18 ? std::vector<int64_t>{2, 2, 2, 2} : std::vector<int64_t>{3, 4, 6, 3};
  stem_ = register_module(
      "stem",
      torch::nn::Sequential(conv(options.in_channels(), 64, 7, 2), torch::nn::BatchNorm2d(64), torch::nn::ReLU(),
                            torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(2).padding(1))));
  int64_t in = 64;
  const int64_t widths[4] = {64, 128, 256, 512};
  for (int stage = 0; stage < 4; ++stage) {
    for (int64_t b = 0; b < layers[stage]; ++b) {
      const int64_t stride = (stage > 0 && b == 0) ? 2 : 1, out = widths[stage];
      const std::string name = "layer" + std::to_string(stage + 1) + "_" + std::to_string(b);
      blocks_.push_back(register_module(
          name, torch::nn::Sequential(conv(in, out, 3, stride), torch::nn::BatchNorm2d(out), torch::nn::ReLU(),
                                      conv(out, out, 3, 1), torch::nn::BatchNorm2d(out))));
      torch::nn::Sequential down;
      if (stride != 1 || in != out) {
        down->push_back(conv(in, out, 1, stride));
        down->push_back(torch::nn::BatchNorm2d(out));
      }
      downsample_.push_back(register_module(name + "_down", down));
      in = out;
    }
    stage_end_.push_back(blocks_.size() - 1);
  }
  fc_ = register_module("fc", torch::nn::Linear(512, options.num_classes()));
  init_weights(*this);
}

torch::Tensor ResNet2dImpl::forward(const torch::Tensor& x) {
  check_image("resnet", x, options.in_channels());
  auto h = stem_->forward(x);
  for (size_t i = 0; i < blocks_.size(); ++i) {
    const auto skip = downsample_[i]->is_empty() ? h : downsample_[i]->forward(h);
    h = torch::relu(blocks_[i]->forward(h) + skip);
  }
  return fc_->forward(h.mean({2, 3}));
}

std::vector<torch::Tensor> ResNet2dImpl::stages(const torch::Tensor& x) {
  check_image("resnet", x, options.in_channels());
  std::vector<torch::Tensor> out;
  auto h = x;
  size_t i = 0;
  for (auto& m : *stem_) {  // conv, bn, relu | max-pool
    h = m.forward(h);
    if (i++ == 2) out.push_back(h);
  }
  for (size_t b = 0; b < blocks_.size(); ++b) {
    const auto skip = downsample_[b]->is_empty() ? h : downsample_[b]->forward(h);
    h = torch::relu(blocks_[b]->forward(h) + skip);
    if (std::find(stage_end_.begin(), stage_end_.end(), b) != stage_end_.end()) out.push_back(h);
  }
  return out;
}

MobileNetV2Impl::MobileNetV2Impl(MobileNetV2Options o) : options(std::move(o)) {
  ECG_CHECK(options.width_mult() > 0, "mobilenet_v2: width_mult must be > 0");
  const double wm = options.width_mult();
  int64_t in = divisible(32 * wm);
  const int64_t last = divisible(1280 * std::max(1.0, wm));
  torch::nn::Sequential stem;
  add_conv_bn_relu6(stem, options.in_channels(), in, 3, 2);
  stem_ = register_module("stem", stem);
  const int64_t settings[7][4] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                                  {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  int idx = 0;
  for (const auto& s : settings) {
    const int64_t out = divisible(static_cast<double>(s[1]) * wm);
    for (int64_t i = 0; i < s[2]; ++i) {
      const int64_t stride = i == 0 ? s[3] : 1, hidden = in * s[0];
      torch::nn::Sequential block;
      if (s[0] != 1) add_conv_bn_relu6(block, in, hidden, 1, 1);
      add_conv_bn_relu6(block, hidden, hidden, 3, stride, hidden);  // depthwise
      block->push_back(conv(hidden, out, 1, 1));
      block->push_back(torch::nn::BatchNorm2d(out));
      blocks_.push_back(register_module("block" + std::to_string(idx++), block));
      residual_.push_back(stride == 1 && in == out);
      in = out;
    }
  }
  torch::nn::Sequential tail;
  add_conv_bn_relu6(tail, in, last, 1, 1);
  last_ = register_module("last", tail);
  dropout_ = register_module("dropout", torch::nn::Dropout(options.dropout()));
  fc_ = register_module("fc", torch::nn::Linear(last, options.num_classes()));
  init_weights(*this);
}

torch::Tensor MobileNetV2Impl::forward(const torch::Tensor& x) {
  check_image("mobilenet_v2", x, options.in_channels());
  auto h = stem_->forward(x);
  for (size_t i = 0; i < blocks_.size(); ++i) h = residual_[i] ? h + blocks_[i]->forward(h) : blocks_[i]->forward(h);
  return fc_->forward(dropout_->forward(last_->forward(h).mean({2, 3})));
}

namespace {
constexpr size_t kMobileNetStageEnds[5] = {0, 2, 5, 12, 16};
}

std::vector<torch::Tensor> MobileNetV2Impl::stages(const torch::Tensor& x) {
  check_image("mobilenet_v2", x, options.in_channels());
  std::vector<torch::Tensor> out;
  auto h = stem_->forward(x);
  for (size_t i = 0; i < blocks_.size(); ++i) {
    h = residual_[i] ? h + blocks_[i]->forward(h) : blocks_[i]->forward(h);
    if (std::find(std::begin(kMobileNetStageEnds), std::end(kMobileNetStageEnds), i) != std::end(kMobileNetStageEnds))
      out.push_back(h);
  }
  return out;
}

std::vector<int64_t> MobileNetV2Impl::stage_channels() const {
  std::vector<int64_t> c;
  for (int64_t base : {16, 24, 32, 96, 320}) c.push_back(divisible(static_cast<double>(base) * options.width_mult()));
  return c;
}

std::vector<torch::Tensor> ResNet2dImpl::example_inputs(int64_t batch) const {
  return {torch::randn({batch, options.in_channels(), 224, 224})};
}

std::vector<torch::Tensor> MobileNetV2Impl::example_inputs(int64_t batch) const {
  return {torch::randn({batch, options.in_channels(), 224, 224})};
}

void register_backbones2d(ModelRegistry& registry) {
  config::OptionsBinder<ResNet2dOptions> r("model 'resnet'");
  ECG_BIND(r, depth, "18 | 34").min_value = 18;
  ECG_BIND(r, in_channels, "image channels").min_value = 1;
  ECG_BIND(r, num_classes, "outputs").min_value = 1;
  registry.add("resnet", "2-D ResNet-18/34 image backbone (torchvision topology)", r,
               [](const ResNet2dOptions& o) { return ResNet2d(o).ptr(); });
  config::OptionsBinder<MobileNetV2Options> m("model 'mobilenet_v2'");
  ECG_BIND(m, in_channels, "image channels").min_value = 1;
  ECG_BIND(m, num_classes, "outputs").min_value = 1;
  ECG_BIND(m, width_mult, "channel multiplier").min_value = 0;
  ECG_BIND(m, dropout, "before the head").max_value = 1;
  registry.add("mobilenet_v2", "MobileNetV2 image backbone (torchvision topology)", m,
               [](const MobileNetV2Options& o) { return MobileNetV2(o).ptr(); });
}

}  // namespace ecg::models
