#include "losses/classification_losses.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "losses/loss_util.h"

namespace ecg::losses {
namespace {

void check_logits(const char* who, const torch::Tensor& pred) {
  ECG_CHECK(pred.dim() == 2, who, ": expected logits [batch, classes], got ", pred.sizes());
}

void check_indices(const char* who, const torch::Tensor& pred, const torch::Tensor& target) {
  ECG_CHECK(target.dim() == 1 && target.size(0) == pred.size(0) && !target.is_floating_point(), who,
            ": expected target class indices [", pred.size(0), "] (int64), got ", target.sizes(), " ", target.dtype());
  if (target.numel() == 0) return;
  const int64_t lo = target.min().item<int64_t>(), hi = target.max().item<int64_t>();
  ECG_CHECK(lo >= 0 && hi < pred.size(1), who, ": target class ", lo < 0 ? lo : hi, " is outside [0, ", pred.size(1),
            ")");
}

void check_multilabel(const char* who, const torch::Tensor& pred, const torch::Tensor& target) {
  ECG_CHECK(pred.sizes() == target.sizes() && target.is_floating_point(), who, ": expected a float target ",
            pred.sizes(), " in {0, 1}, got ", target.sizes(), " ", target.dtype());
}

}  // namespace

torch::Tensor ClassWeightedLoss::sample_weights(const torch::Tensor& target, const torch::Tensor& like,
                                                bool per_element) const {
  if (!class_weights_.defined()) return torch::ones({}, like.options());
  const auto w = class_weights_.to(like.options());
  ECG_CHECK(w.numel() == like.size(1), "class weights: ", w.numel(), " weights for ", like.size(1), " classes");
  if (per_element) return w.view({1, -1});                            // [1, C] over [B, C]
  if (!target.is_floating_point()) return w.index_select(0, target);  // [B]
  return (target * w.view({1, -1})).sum(1);                           // soft targets: expected weight
}

std::vector<double> class_balanced_weights(const std::vector<int64_t>& samples_per_class, double beta) {
  ECG_CHECK(!samples_per_class.empty(), "class-balanced weights: samples_per_class is empty");
  ECG_CHECK(beta >= 0 && beta < 1, "class-balanced weights: beta must be in [0, 1), got ", beta);
  std::vector<double> w;
  double sum = 0;
  int64_t present = 0;
  for (size_t c = 0; c < samples_per_class.size(); ++c) {
    const int64_t n = samples_per_class[c];
    ECG_CHECK(n >= 0, "class-balanced weights: class ", c, " has ", n, " samples (need >= 0)");
    // A class without samples never is a target: weight 0, left out of the normalisation.
    const double effective = (1.0 - std::pow(beta, static_cast<double>(n))) / (1.0 - beta);
    w.push_back(n > 0 ? 1.0 / effective : 0.0);
    sum += w.back();
    present += n > 0 ? 1 : 0;
  }
  ECG_CHECK(present > 0, "class-balanced weights: every class has 0 samples");
  for (auto& x : w) x *= static_cast<double>(present) / sum;
  return w;
}

CrossEntropyLoss::CrossEntropyLoss(CrossEntropyOptions options) : options_(std::move(options)) {
  ECG_CHECK(options_.label_smoothing() >= 0 && options_.label_smoothing() <= 1,
            "cross_entropy: label_smoothing must be in [0, 1], got ", options_.label_smoothing());
}

torch::Tensor CrossEntropyLoss::forward(const torch::Tensor& pred, const torch::Tensor& target) {
  check_logits("cross_entropy", pred);
  const auto logp = torch::log_softmax(pred, 1);
  const double eps = options_.label_smoothing();
  const double classes = static_cast<double>(pred.size(1));
  torch::Tensor per_sample;
  if (target.is_floating_point()) {
    ECG_CHECK(target.sizes() == pred.sizes(), "cross_entropy: a probability target must be ", pred.sizes(), ", got ",
              target.sizes());
    const auto q = (1 - eps) * target + eps / classes;
    per_sample = -(q * logp).sum(1);
  } else {
    check_indices("cross_entropy", pred, target);
    const auto nll = -logp.gather(1, target.view({-1, 1})).squeeze(1);
    per_sample = (1 - eps) * nll - eps * logp.mean(1);
  }
  return (per_sample * sample_weights(target, pred, false)).mean();
}

torch::Tensor BceLoss::forward(const torch::Tensor& pred, const torch::Tensor& target) {
  check_logits("bce", pred);
  check_multilabel("bce", pred, target);
  const auto e = torch::binary_cross_entropy_with_logits(pred, target, {}, {}, at::Reduction::None);
  return (e * sample_weights(target, pred, true)).mean();
}

FocalLoss::FocalLoss(FocalLossOptions options) : options_(std::move(options)) {
  const auto& m = options_.mode();
  ECG_CHECK(m == "binary" || m == "multiclass" || m == "multilabel",
            "focal: mode must be binary, multiclass or multilabel, got '", m, "'");
  ECG_CHECK(options_.gamma() >= 0, "focal: gamma must be >= 0, got ", options_.gamma());
  ECG_CHECK(options_.alpha() <= 1, "focal: alpha must be <= 1, got ", options_.alpha());
}

torch::Tensor FocalLoss::forward(const torch::Tensor& pred, const torch::Tensor& target) {
  const double g = options_.gamma(), a = options_.alpha();
  if (options_.mode() == "multiclass") {
    check_logits("focal", pred);
    check_indices("focal", pred, target);
    const auto logp_y = torch::log_softmax(pred, 1).gather(1, target.view({-1, 1})).squeeze(1);
    const auto p_y = logp_y.exp();
    auto per_sample = -torch::pow(1 - p_y, g) * logp_y;
    if (a >= 0) per_sample = a * per_sample;
    return (per_sample * sample_weights(target, pred, false)).mean();
  }
  const auto x = pred.dim() == 1 ? pred.view({-1, 1}) : pred;
  const auto t = target.dim() == 1 ? target.view({-1, 1}) : target;
  check_logits("focal", x);
  check_multilabel("focal", x, t);
  const auto ce = torch::binary_cross_entropy_with_logits(x, t, {}, {}, at::Reduction::None);
  const auto p = torch::sigmoid(x);
  const auto p_t = p * t + (1 - p) * (1 - t);
  auto e = torch::pow(1 - p_t, g) * ce;
  if (a >= 0) e = (a * t + (1 - a) * (1 - t)) * e;
  return (e * sample_weights(t, x, true)).mean();
}

LdamLoss::LdamLoss(LdamOptions options) : options_(std::move(options)) {
  const auto& n = options_.samples_per_class();
  ECG_CHECK(!n.empty(), "ldam: samples_per_class is empty");
  ECG_CHECK(options_.max_margin() > 0 && options_.scale() > 0, "ldam: max_margin and scale must be > 0");
  double largest = 0;
  for (size_t c = 0; c < n.size(); ++c) {
    ECG_CHECK(n[c] > 0, "ldam: class ", c, " has ", n[c], " samples (need > 0)");
    margins_.push_back(1.0 / std::pow(static_cast<double>(n[c]), 0.25));
    largest = std::max(largest, margins_.back());
  }
  for (auto& m : margins_) m *= options_.max_margin() / largest;
  margin_buffer_ = register_buffer("margins", torch::tensor(margins_, torch::kFloat64));
  drw_buffer_ =
      register_buffer("drw_weights", torch::tensor(class_balanced_weights(n, options_.beta()), torch::kFloat64));
}

torch::Tensor LdamLoss::forward(const torch::Tensor& pred, const torch::Tensor& target) {
  check_logits("ldam", pred);
  ECG_CHECK(pred.size(1) == static_cast<int64_t>(margins_.size()), "ldam: ", pred.size(1), " logits but ",
            margins_.size(), " classes in samples_per_class");
  check_indices("ldam", pred, target);
  const auto m = margin_buffer_.to(pred.options());
  const auto onehot = torch::one_hot(target, pred.size(1)).to(pred.dtype());
  const auto logits = options_.scale() * (pred - onehot * m.view({1, -1}));
  const auto nll = -torch::log_softmax(logits, 1).gather(1, target.view({-1, 1})).squeeze(1);
  if (epoch_ < options_.drw_epoch()) return nll.mean();
  const auto w = drw_buffer_.to(pred.options()).index_select(0, target);
  return (w * nll).sum() / w.sum();
}

AsymmetricLoss::AsymmetricLoss(AsymmetricLossOptions options) : options_(std::move(options)) {
  ECG_CHECK(options_.gamma_pos() >= 0 && options_.gamma_neg() >= 0, "asymmetric: gammas must be >= 0");
  ECG_CHECK(options_.clip() >= 0 && options_.clip() < 1, "asymmetric: clip must be in [0, 1), got ", options_.clip());
  detail::reduction_of(options_.reduction());
}

torch::Tensor AsymmetricLoss::forward(const torch::Tensor& pred, const torch::Tensor& target) {
  check_logits("asymmetric", pred);
  check_multilabel("asymmetric", pred, target);
  const auto p = torch::sigmoid(pred);
  const auto p_m = (p - options_.clip()).clamp_min(0);
  const auto pos = target * torch::pow(1 - p, options_.gamma_pos()) * torch::log(p.clamp_min(options_.eps()));
  const auto neg =
      (1 - target) * torch::pow(p_m, options_.gamma_neg()) * torch::log((1 - p_m).clamp_min(options_.eps()));
  const auto e = -(pos + neg) * sample_weights(target, pred, true);
  return detail::reduction_of(options_.reduction()) == at::Reduction::Sum ? e.sum() : e.mean();
}

namespace {

class ClassBalancedLoss : public Loss {
 public:
  ClassBalancedLoss(std::shared_ptr<ClassWeightedLoss> base, std::vector<double> weights) : base_(std::move(base)) {
    register_module("base", base_);
    base_->set_class_weights(torch::tensor(weights, torch::kFloat64));
  }
  torch::Tensor forward(const torch::Tensor& pred, const torch::Tensor& target) override {
    return base_->forward(pred, target);
  }
  void set_epoch(int64_t epoch) override { base_->set_epoch(epoch); }

 private:
  std::shared_ptr<ClassWeightedLoss> base_;
};

}  // namespace

void register_classification_losses(LossRegistry& registry) {
  config::OptionsBinder<CrossEntropyOptions> ce("loss 'cross_entropy'");
  auto& ls = ECG_BIND(ce, label_smoothing, "mass moved uniformly to all classes");
  ls.min_value = 0;
  ls.max_value = 1;
  registry.add("cross_entropy", "softmax cross-entropy with label smoothing", ce,
               [](const CrossEntropyOptions& o) { return std::make_shared<CrossEntropyLoss>(o); });

  registry.add("bce", "binary cross-entropy with logits, multi-label", std::make_shared<config::Schema>("loss 'bce'"),
               [](const config::ConfigNode&, const std::string&) { return std::make_shared<BceLoss>(); });

  config::OptionsBinder<FocalLossOptions> focal("loss 'focal'");
  ECG_BIND(focal, mode, "binary | multiclass | multilabel").choices = {"binary", "multiclass", "multilabel"};
  ECG_BIND(focal, gamma, "focusing exponent").min_value = 0;
  ECG_BIND(focal, alpha, "weight of positives (1 - alpha for negatives); < 0 = off").max_value = 1;
  registry.add("focal", "focal loss (Lin et al. 2017): binary, multi-class, multi-label", focal,
               [](const FocalLossOptions& o) { return std::make_shared<FocalLoss>(o); });

  config::OptionsBinder<LdamOptions> ldam("loss 'ldam'");
  ECG_BIND_REQUIRED(ldam, samples_per_class, "training samples of each class").min_value = 1;
  ECG_BIND(ldam, max_margin, "margin of the rarest class").min_value = 0;
  ECG_BIND(ldam, scale, "logit scale s").min_value = 0;
  ECG_BIND(ldam, drw_epoch, "epoch from which class-balanced weights apply (DRW)").min_value = 0;
  auto& ldam_beta = ECG_BIND(ldam, beta, "effective-number beta of the DRW weights");
  ldam_beta.min_value = 0;
  ldam_beta.max_value = 1;
  registry.add("ldam", "LDAM margins with deferred re-weighting (Cao et al. 2019)", ldam,
               [](const LdamOptions& o) { return std::make_shared<LdamLoss>(o); });

  config::OptionsBinder<AsymmetricLossOptions> asl("loss 'asymmetric'");
  ECG_BIND(asl, gamma_pos, "focusing exponent of positives").min_value = 0;
  ECG_BIND(asl, gamma_neg, "focusing exponent of negatives").min_value = 0;
  auto& clip = ECG_BIND(asl, clip, "probability margin shifted off negatives");
  clip.min_value = 0;
  clip.max_value = 1;
  ECG_BIND(asl, eps, "log clamp").min_value = 0;
  ECG_BIND(asl, reduction, "mean | sum over elements").choices = {"mean", "sum"};
  registry.add("asymmetric", "asymmetric loss for multi-label (Ridnik et al. 2021)", asl,
               [](const AsymmetricLossOptions& o) { return std::make_shared<AsymmetricLoss>(o); });

  // class_balanced: {base: {name: focal, ...}, samples_per_class: [...], beta: 0.9999}
  auto cb = std::make_shared<config::Schema>("loss 'class_balanced'");
  config::FieldSpec base;
  base.name = "base";
  base.type = config::ValueType::kComponent;
  base.help = "the loss to weight: {name: cross_entropy | bce | focal | asymmetric, ...}";
  base.required = true;
  base.component = registry.component_kind();
  cb->add(base);
  config::FieldSpec counts;
  counts.name = "samples_per_class";
  counts.type = config::ValueType::kIntList;
  counts.help = "training samples of each class (default: counted in the training data)";
  counts.min_value = 0;
  cb->add(counts);
  config::FieldSpec beta;
  beta.name = "beta";
  beta.type = config::ValueType::kFloat;
  beta.help = "effective-number beta (0.9 .. 0.9999)";
  beta.default_value = config::ConfigNode::scalar("0.9999");
  beta.min_value = 0;
  beta.max_value = 1;
  cb->add(beta);
  config::FieldSpec floor;
  floor.name = "min_samples";
  floor.type = config::ValueType::kInt;
  floor.help = "counts below this are raised to it, so a class of a few samples cannot take all the weight";
  floor.default_value = config::ConfigNode::scalar("1");
  floor.min_value = 1;
  cb->add(floor);
  registry.add("class_balanced", "class-balanced weights by effective number (Cui et al. 2019)", cb,
               [&registry](const config::ConfigNode& o, const std::string& path) -> std::shared_ptr<Loss> {
                 auto base_loss = registry.create(o.at("base"), config::child_path(path, "base"));
                 auto weighted = std::dynamic_pointer_cast<ClassWeightedLoss>(base_loss);
                 const std::string base_name = o.at("base").at("name").text();
                 ECG_CHECK(weighted != nullptr, path, ": class_balanced cannot weight loss '", base_name,
                           "' (use cross_entropy, bce, focal or asymmetric)");
                 ECG_CHECK(o.has("samples_per_class"), path,
                           ": class_balanced needs samples_per_class (give them, or train on a dataset that "
                           "counts its classes)");
                 auto counts = config::read_int_list(o.at("samples_per_class"), path + ".samples_per_class");
                 const int64_t least = config::read_int(o.at("min_samples"), path + ".min_samples");
                 for (auto& n : counts) n = n > 0 ? std::max(n, least) : 0;
                 const double b = config::read_float(o.at("beta"), path + ".beta");
                 return std::make_shared<ClassBalancedLoss>(weighted, class_balanced_weights(counts, b));
               });
}

}  // namespace ecg::losses
