#include "models/multimodal.h"

#include <torch/torch.h>

#include "core/error.h"
#include "models/cnn1d.h"

namespace ecg::models {

MultimodalImpl::MultimodalImpl(MultimodalOptions o) : options(std::move(o)) {
  const int64_t d = options.dim();
  ECG_CHECK(options.heads() >= 1 && d % options.heads() == 0, "multimodal: dim ", d, " must be a multiple of heads ",
            options.heads());
  ECG_CHECK(!options.signal_widths().empty() && !options.kernels().empty(),
            "multimodal: signal_widths and kernels must not be empty");
  for (int64_t k : options.kernels()) ECG_CHECK(k % 2 == 1, "multimodal: kernels must be odd, got ", k);
  ECG_CHECK(options.signal_tokens() >= 1 && options.num_classes() >= 1,
            "multimodal: signal_tokens and num_classes must be >= 1");
  image_ = register_module("image", Vit(VitOptions()
                                            .image_size(options.image_size())
                                            .patch(options.patch())
                                            .in_channels(options.in_channels())
                                            .dim(d)
                                            .depth(options.image_depth())
                                            .heads(options.heads())
                                            .dropout(options.dropout())
                                            .num_classes(0)));
  int64_t in = options.leads();
  for (size_t s = 0; s < options.signal_widths().size(); ++s) {
    const int64_t w = options.signal_widths()[s];
    std::vector<torch::nn::Conv1d> branches;
    for (int64_t k : options.kernels()) {
      branches.push_back(
          register_module("signal" + std::to_string(s) + "_k" + std::to_string(k),
                          torch::nn::Conv1d(torch::nn::Conv1dOptions(in, w, k).padding(k / 2).bias(false))));
    }
    branches_.push_back(branches);
    torch::nn::Sequential merge(
        torch::nn::Conv1d(
            torch::nn::Conv1dOptions(w * static_cast<int64_t>(options.kernels().size()), w, 1).bias(false)),
        torch::nn::BatchNorm1d(w), torch::nn::ReLU(), torch::nn::MaxPool1d(2));
    merge_.push_back(register_module("signal" + std::to_string(s) + "_merge", merge));
    in = w;
  }
  signal_proj_ = register_module("signal_proj", torch::nn::Linear(in, d));
  signal_pos_ = register_parameter("signal_pos", torch::randn({options.signal_tokens(), 1, d}) * 0.02);
  if (options.numeric_features() > 0) {
    numeric_mlp_ =
        register_module("numeric_mlp", torch::nn::Sequential(torch::nn::Linear(2 * options.numeric_features(), d),
                                                             torch::nn::GELU(), torch::nn::Linear(d, d)));
  }
  for (size_t i = 0; i < options.categorical_cardinalities().size(); ++i) {
    const int64_t card = options.categorical_cardinalities()[i];
    ECG_CHECK(card >= 1, "multimodal: categorical_cardinalities must be >= 1, got ", card);
    embeddings_.push_back(register_module("embedding" + std::to_string(i), torch::nn::Embedding(card + 1, d)));
  }
  query_ = register_parameter("query", torch::randn({1, 1, d}) * 0.02);
  missing_ = register_parameter("missing", torch::randn({kModalities, d}) * 0.02);
  modality_embedding_ = register_parameter("modality_embedding", torch::randn({kModalities, 1, d}) * 0.02);
  for (int64_t m = 0; m < kModalities; ++m) {
    pool_.push_back(
        register_module("pool" + std::to_string(m),
                        torch::nn::MultiheadAttention(torch::nn::MultiheadAttentionOptions(d, options.heads()))));
    gate_.push_back(register_module("gate" + std::to_string(m), torch::nn::Linear(d, 1)));
  }
  cross_ = register_module(
      "cross", torch::nn::TransformerEncoderLayer(torch::nn::TransformerEncoderLayerOptions(d, options.heads())
                                                      .dim_feedforward(2 * d)
                                                      .dropout(options.dropout())));
  trunk_ = register_module("trunk", torch::nn::Linear(d, d));
  diagnosis_ = register_module("diagnosis", torch::nn::Linear(d, options.num_classes()));
  severity_ = register_module("severity", torch::nn::Linear(d, 1));
  confidence_ = register_module("confidence", torch::nn::Linear(d, 1));
  init_weights(*this);
  for (auto& e : embeddings_) {
    torch::NoGradGuard no_grad;
    e->weight.normal_(0, 0.02);
  }
}

torch::Tensor MultimodalImpl::signal_tokens(const torch::Tensor& x) {
  const int64_t min_samples = int64_t{1} << options.signal_widths().size();
  ECG_CHECK(x.dim() == 3 && x.size(1) == options.leads() && x.size(2) >= min_samples,
            "multimodal: signal must be [batch, ", options.leads(), ", samples >= ", min_samples, "], got ", x.sizes());
  auto h = x;
  for (size_t s = 0; s < branches_.size(); ++s) {
    std::vector<torch::Tensor> parts;
    for (auto& conv : branches_[s]) parts.push_back(conv->forward(h));
    h = merge_[s]->forward(torch::cat(parts, 1));
  }
  h = torch::adaptive_avg_pool1d(h, options.signal_tokens());        // [B, C, T]
  return signal_proj_->forward(h.permute({2, 0, 1})) + signal_pos_;  // [T, B, D]
}

torch::Tensor MultimodalImpl::metadata_tokens(const torch::Tensor& numeric, const torch::Tensor& categorical) {
  std::vector<torch::Tensor> tokens;
  if (numeric.defined()) {
    ECG_CHECK(options.numeric_features() > 0, "multimodal: got numeric metadata but numeric_features is 0");
    ECG_CHECK(numeric.dim() == 2 && numeric.size(1) == options.numeric_features(),
              "multimodal: numeric must be [batch, ", options.numeric_features(), "], got ", numeric.sizes());
    const auto missing = torch::isnan(numeric);
    const auto values = torch::where(missing, torch::zeros_like(numeric), numeric);
    tokens.push_back(numeric_mlp_->forward(torch::cat({values, missing.to(numeric.scalar_type())}, 1)).unsqueeze(0));
  }
  if (categorical.defined()) {
    const auto n = static_cast<int64_t>(embeddings_.size());
    ECG_CHECK(n > 0, "multimodal: got categorical metadata but categorical_cardinalities is empty");
    ECG_CHECK(categorical.dim() == 2 && categorical.size(1) == n && categorical.scalar_type() == torch::kLong,
              "multimodal: categorical must be int64 [batch, ", n, "], got ", categorical.sizes(), " ",
              categorical.scalar_type());
    for (int64_t i = 0; i < n; ++i) {
      const int64_t card = options.categorical_cardinalities()[static_cast<size_t>(i)];
      const auto c = categorical.select(1, i);
      const auto idx = torch::where((c < 0).logical_or(c >= card), torch::full_like(c, card), c);  // unknown row
      tokens.push_back(embeddings_[static_cast<size_t>(i)]->forward(idx).unsqueeze(0));
    }
  }
  return tokens.empty() ? torch::Tensor() : torch::cat(tokens, 0);  // [tokens, B, D]
}

torch::Tensor MultimodalImpl::forward(const MultimodalInputs& in) {
  std::vector<torch::Tensor> tokens(kModalities);
  if (in.image.defined()) tokens[0] = image_->tokens(in.image);
  if (in.signal.defined()) tokens[1] = signal_tokens(in.signal);
  tokens[2] = metadata_tokens(in.numeric, in.categorical);
  int64_t batch = -1;
  for (const auto& t : tokens) {
    if (!t.defined()) continue;
    ECG_CHECK(batch < 0 || t.size(1) == batch, "multimodal: inputs disagree on the batch size (", batch, " vs ",
              t.size(1), ")");
    batch = t.size(1);
  }
  ECG_CHECK(batch >= 0, "multimodal: every modality is absent (give an image, a signal or metadata)");
  const auto opts = query_.options();
  auto present = torch::ones({batch, kModalities}, opts);
  if (in.present.defined()) {
    ECG_CHECK(in.present.dim() == 2 && in.present.size(0) == batch && in.present.size(1) == kModalities,
              "multimodal: present must be [batch, 3] (image, signal, metadata), got ", in.present.sizes());
    present = in.present.to(opts.dtype());
  }
  std::vector<torch::Tensor> summaries;
  const auto q = query_.expand({1, batch, -1});
  for (int64_t m = 0; m < kModalities; ++m) {
    const auto missing = missing_[m].unsqueeze(0).expand({batch, -1});
    const auto& t = tokens[static_cast<size_t>(m)];
    if (!t.defined()) {
      summaries.push_back(missing);
      continue;
    }
    const auto c = std::get<0>(pool_[static_cast<size_t>(m)]->forward(q, t, t)).squeeze(0);  // [B, D]
    const auto p = present.select(1, m).unsqueeze(1);
    summaries.push_back(p * c + (1 - p) * missing);
  }
  std::vector<torch::Tensor> structural;
  for (const auto& t : tokens) structural.push_back(torch::full({1}, t.defined() ? 1.0 : 0.0, opts));
  present = present * torch::cat(structural).unsqueeze(0);
  const auto s = cross_->forward(torch::stack(summaries, 0) + modality_embedding_);  // [M, B, D]
  std::vector<torch::Tensor> g;
  for (int64_t m = 0; m < kModalities; ++m) g.push_back(torch::sigmoid(gate_[static_cast<size_t>(m)]->forward(s[m])));
  gates_ = torch::cat(g, 1) * present;  // [B, M]
  const auto fused = (gates_.unsqueeze(-1) * s.transpose(0, 1)).sum(1) / (gates_.sum(1, true) + 1e-6);
  const auto h = torch::dropout(torch::gelu(trunk_->forward(fused)), options.dropout(), is_training());
  return torch::cat({diagnosis_->forward(h), severity_->forward(h), confidence_->forward(h)}, 1);
}

torch::Tensor MultimodalImpl::forward(const torch::Tensor& x) {
  MultimodalInputs in;
  ECG_CHECK(x.dim() == 3 || x.dim() == 4, "multimodal: forward(x) takes a signal [batch, leads, samples] or an image ",
            "[batch, C, H, W], got ", x.sizes());
  (x.dim() == 3 ? in.signal : in.image) = x;
  return forward(in);
}

std::vector<std::string> MultimodalImpl::input_names() const {
  return {"image", "signal", "numeric", "categorical", "present"};
}

torch::Tensor MultimodalImpl::forward_inputs(const std::vector<torch::Tensor>& inputs) {
  ECG_CHECK(inputs.size() == 5, "multimodal: expected 5 inputs (image, signal, numeric, categorical, present), got ",
            inputs.size());
  return forward(MultimodalInputs{inputs[0], inputs[1], inputs[2], inputs[3], inputs[4]});
}

UncertainPrediction MultimodalImpl::predict_with_uncertainty(const MultimodalInputs& in, int64_t n_samples) {
  const int64_t c = options.num_classes();
  return mc_dropout(*this, n_samples, [&] {
    const auto o = forward(in);
    return torch::cat({torch::sigmoid(o.narrow(1, 0, c)), o.narrow(1, c, 1), torch::sigmoid(o.narrow(1, c + 1, 1))}, 1);
  });
}

// Image at image_size, 10 s of signal at 100 Hz, all metadata known, every modality present.
std::vector<torch::Tensor> MultimodalImpl::example_inputs(int64_t batch) const {
  const auto n_cat = static_cast<int64_t>(options.categorical_cardinalities().size());
  return {torch::randn({batch, options.in_channels(), options.image_size()[0], options.image_size()[1]}),
          torch::randn({batch, options.leads(), 1000}), torch::randn({batch, options.numeric_features()}),
          torch::zeros({batch, n_cat}, torch::kLong), torch::ones({batch, kModalities})};
}

void register_multimodal(ModelRegistry& registry) {
  config::OptionsBinder<MultimodalOptions> b("model 'multimodal'");
  ECG_BIND(b, num_classes, "multi-label diagnoses").min_value = 1;
  ECG_BIND(b, dim, "token width of every modality (a multiple of heads)").min_value = 1;
  ECG_BIND(b, heads, "attention heads").min_value = 1;
  auto& d = ECG_BIND(b, dropout, "dropout (also MC-dropout at inference)");
  d.min_value = 0;
  d.max_value = 1;
  ECG_BIND(b, image_size, "[H, W] of the ViT position grid").length = 2;
  ECG_BIND(b, patch, "ViT patch size").min_value = 1;
  ECG_BIND(b, in_channels, "image channels").min_value = 1;
  ECG_BIND(b, image_depth, "ViT blocks").min_value = 1;
  ECG_BIND(b, leads, "signal leads").min_value = 1;
  ECG_BIND(b, signal_widths, "channels of each multi-scale 1-D stage").min_value = 1;
  ECG_BIND(b, kernels, "odd kernel sizes of the parallel convolutions").min_value = 1;
  ECG_BIND(b, signal_tokens, "signal tokens after adaptive pooling").min_value = 1;
  ECG_BIND(b, numeric_features, "numeric metadata fields (NaN = unknown)").min_value = 0;
  ECG_BIND(b, categorical_cardinalities, "categories of each categorical field (-1 = unknown)").min_value = 1;
  registry.add("multimodal", "image + signal + metadata, cross-modal attention with gates, MC-dropout", b,
               [](const MultimodalOptions& o) { return Multimodal(o).ptr(); });
}

}  // namespace ecg::models
