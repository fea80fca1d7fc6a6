#include "models/cnn1d.h"

#include <torch/torch.h>

#include <numeric>

#include "core/error.h"

namespace ecg::models {
namespace {

// Appends Conv1d -> BatchNorm1d (or GroupNorm) -> ReLU ("same" padding for odd k).
void add_conv_bn_relu(torch::nn::Sequential& s, int64_t in, int64_t out, int64_t k, int64_t stride,
                      const std::string& norm = "batch") {
  s->push_back(torch::nn::Conv1d(torch::nn::Conv1dOptions(in, out, k).stride(stride).padding(k / 2).bias(false)));
  if (norm == "group") {
    s->push_back(torch::nn::GroupNorm(torch::nn::GroupNormOptions(std::gcd(out, int64_t{8}), out)));
  } else {
    s->push_back(torch::nn::BatchNorm1d(out));
  }
  s->push_back(torch::nn::ReLU());
}

void check_input(const char* who, const torch::Tensor& x, int64_t leads) {
  ECG_CHECK(x.dim() == 3 && x.size(1) == leads, who, ": expected [batch, ", leads, ", samples], got ", x.sizes());
}

}  // namespace

void init_weights(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& m : module.modules(/*include_self=*/false)) {  // the root holds no weights of its own
    if (auto* c = m->as<torch::nn::Conv1d>())
      torch::nn::init::kaiming_normal_(c->weight, 0, torch::kFanOut, torch::kReLU);
    if (auto* c = m->as<torch::nn::Conv2d>())
      torch::nn::init::kaiming_normal_(c->weight, 0, torch::kFanOut, torch::kReLU);
    if (auto* b = m->as<torch::nn::BatchNorm1d>()) {
      b->weight.fill_(1);
      b->bias.zero_();
    }
    if (auto* b = m->as<torch::nn::BatchNorm2d>()) {
      b->weight.fill_(1);
      b->bias.zero_();
    }
  }
}

SignalCnn1dImpl::SignalCnn1dImpl(SignalCnn1dOptions o) : options(std::move(o)) {
  ECG_CHECK(options.widths().size() == 3, "signal_cnn1d: widths must have 3 entries, got ", options.widths().size());
  ECG_CHECK(options.leads() >= 1 && options.num_classes() >= 1, "signal_cnn1d: leads and num_classes must be >= 1");
  ECG_CHECK(options.norm() == "batch" || options.norm() == "group", "signal_cnn1d: norm must be batch or group, got '",
            options.norm(), "'");
  const auto& w = options.widths();
  const std::string& norm = options.norm();
  torch::nn::Sequential f;
  add_conv_bn_relu(f, options.leads(), w[0], 7, 1, norm);
  f->push_back(torch::nn::MaxPool1d(2));
  add_conv_bn_relu(f, w[0], w[1], 5, 1, norm);
  f->push_back(torch::nn::MaxPool1d(2));
  add_conv_bn_relu(f, w[1], w[2], 5, 1, norm);
  features_ = register_module("features", f);
  dropout_ = register_module("dropout", torch::nn::Dropout(options.dropout()));
  head_ = register_module("head", torch::nn::Linear(w[2], options.num_classes()));
  init_weights(*this);
}

torch::Tensor SignalCnn1dImpl::forward(const torch::Tensor& x) {
  check_input("signal_cnn1d", x, options.leads());
  ECG_CHECK(x.size(2) >= 4, "signal_cnn1d: need at least 4 samples, got ", x.size(2));
  return head_->forward(dropout_->forward(features_->forward(x).mean(-1)));
}

ResNet1dImpl::ResNet1dImpl(ResNet1dOptions o) : options(std::move(o)) {
  ECG_CHECK(!options.widths().empty(), "resnet1d: widths is empty");
  ECG_CHECK(options.kernel_size() % 2 == 1, "resnet1d: kernel_size must be odd, got ", options.kernel_size());
  const auto& w = options.widths();
  torch::nn::Sequential stem;
  add_conv_bn_relu(stem, options.leads(), w[0], 7, 1);
  stem_ = register_module("stem", stem);
  int64_t in = w[0];
  for (size_t i = 0; i < w.size(); ++i) {
    const int64_t stride = i == 0 ? 1 : 2, k = options.kernel_size();
    torch::nn::Sequential body;
    add_conv_bn_relu(body, in, w[i], k, stride);
    body->push_back(torch::nn::Conv1d(torch::nn::Conv1dOptions(w[i], w[i], k).padding(k / 2).bias(false)));
    body->push_back(torch::nn::BatchNorm1d(w[i]));
    main_.push_back(register_module("stage" + std::to_string(i), body));
    torch::nn::Sequential skip;
    if (stride != 1 || in != w[i]) {
      skip->push_back(torch::nn::Conv1d(torch::nn::Conv1dOptions(in, w[i], 1).stride(stride).bias(false)));
      skip->push_back(torch::nn::BatchNorm1d(w[i]));
    }
    shortcut_.push_back(register_module("shortcut" + std::to_string(i), skip));
    in = w[i];
  }
  dropout_ = register_module("dropout", torch::nn::Dropout(options.dropout()));
  head_ = register_module("head", torch::nn::Linear(2 * in, options.num_classes()));
  init_weights(*this);
}

torch::Tensor ResNet1dImpl::forward(const torch::Tensor& x) {
  check_input("resnet1d", x, options.leads());
  ECG_CHECK(x.size(2) >= 8, "resnet1d: need at least 8 samples, got ", x.size(2));
  auto h = stem_->forward(x);
  for (size_t i = 0; i < main_.size(); ++i) {
    const auto skip = shortcut_[i]->is_empty() ? h : shortcut_[i]->forward(h);
    h = torch::relu(main_[i]->forward(h) + skip);
  }
  const auto pooled = torch::cat({h.mean(-1), std::get<0>(h.max(-1))}, 1);
  return head_->forward(dropout_->forward(pooled));
}

// 1 s at MIT-BIH's 360 Hz.
std::vector<torch::Tensor> SignalCnn1dImpl::example_inputs(int64_t batch) const {
  return {torch::randn({batch, options.leads(), 360})};
}

// 10 s at PTB-XL's 100 Hz.
std::vector<torch::Tensor> ResNet1dImpl::example_inputs(int64_t batch) const {
  return {torch::randn({batch, options.leads(), 1000})};
}

void register_cnn1d_models(ModelRegistry& registry) {
  config::OptionsBinder<SignalCnn1dOptions> s("model 'signal_cnn1d'");
  ECG_BIND(s, leads, "input leads").min_value = 1;
  ECG_BIND(s, num_classes, "outputs (AAMI: 5)").min_value = 1;
  ECG_BIND(s, widths, "channels of the 3 conv blocks").length = 3;
  ECG_BIND(s, dropout, "before the head").max_value = 1;
  ECG_BIND(s, norm, "batch: BatchNorm; group: GroupNorm (independent of the batch: small batches, many processes)")
      .choices = {"batch", "group"};
  registry.add("signal_cnn1d", "tiny 1-D CNN for 1 s beat windows (< 100k parameters)", s,
               [](const SignalCnn1dOptions& o) { return SignalCnn1d(o).ptr(); });
  config::OptionsBinder<ResNet1dOptions> r("model 'resnet1d'");
  ECG_BIND(r, leads, "input leads").min_value = 1;
  ECG_BIND(r, num_classes, "outputs (PTB-XL superclasses: 5)").min_value = 1;
  ECG_BIND(r, widths, "channels of each residual stage").min_value = 1;
  ECG_BIND(r, kernel_size, "odd kernel of the residual convs").min_value = 1;
  ECG_BIND(r, dropout, "before the head").max_value = 1;
  registry.add("resnet1d", "1-D ResNet for 12-lead classification (PTB-XL benchmark style)", r,
               [](const ResNet1dOptions& o) { return ResNet1d(o).ptr(); });
}

}  // namespace ecg::models
