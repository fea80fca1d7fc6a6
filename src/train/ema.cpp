#include "train/ema.h"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "core/error.h"

namespace ecg::train {
namespace {

std::vector<torch::Tensor> model_tensors(const torch::nn::Module& model, std::vector<std::string>* names,
                                         size_t* num_params) {
  std::vector<torch::Tensor> out;
  for (const auto& p : model.named_parameters()) {
    if (names != nullptr) names->push_back(p.key());
    out.push_back(p.value());
  }
  if (num_params != nullptr) *num_params = out.size();
  for (const auto& b : model.named_buffers()) {
    if (names != nullptr) names->push_back(b.key());
    out.push_back(b.value());
  }
  return out;
}

}  // namespace

Ema::Ema(const torch::nn::Module& model, double decay) : decay_(decay) {
  ECG_CHECK(decay > 0 && decay < 1, "trainer.ema_decay: must be in (0, 1), got ", decay);
  for (const auto& t : model_tensors(model, &names_, &num_params_)) shadow_.push_back(t.detach().clone());
}

void Ema::update(const torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  const auto current = model_tensors(model, nullptr, nullptr);
  ECG_CHECK(current.size() == shadow_.size(), "ema: the model's tensors changed");
  for (size_t i = 0; i < current.size(); ++i) {
    if (i < num_params_ && shadow_[i].is_floating_point()) {
      shadow_[i].mul_(decay_).add_(current[i].detach(), 1.0 - decay_);
    } else {
      shadow_[i].copy_(current[i]);
    }
  }
}

Ema::Swap::Swap(Ema& ema, torch::nn::Module& model) : ema_(ema), model_(model) {
  torch::NoGradGuard no_grad;
  for (auto& t : model_tensors(model_, nullptr, nullptr)) {
    saved_.push_back(t.detach().clone());
  }
  auto current = model_tensors(model_, nullptr, nullptr);
  for (size_t i = 0; i < current.size(); ++i) current[i].detach().copy_(ema_.shadow_[i]);
}

Ema::Swap::~Swap() {
  torch::NoGradGuard no_grad;
  auto current = model_tensors(model_, nullptr, nullptr);
  for (size_t i = 0; i < current.size(); ++i) current[i].detach().copy_(saved_[i]);
}

void Ema::copy_to(torch::nn::Module& model) const {
  torch::NoGradGuard no_grad;
  auto current = model_tensors(model, nullptr, nullptr);
  for (size_t i = 0; i < current.size(); ++i) current[i].detach().copy_(shadow_[i]);
}

void Ema::save(torch::serialize::OutputArchive& archive) const {
  for (size_t i = 0; i < shadow_.size(); ++i) archive.write(names_[i], shadow_[i], /*is_buffer=*/true);
}

void Ema::load(torch::serialize::InputArchive& archive) {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < shadow_.size(); ++i) {
    torch::Tensor t;
    ECG_CHECK(archive.try_read(names_[i], t, /*is_buffer=*/true), "checkpoint: the EMA has no tensor '", names_[i],
              "'");
    ECG_CHECK(t.sizes() == shadow_[i].sizes(), "checkpoint: EMA tensor '", names_[i], "' has shape ", t.sizes(),
              ", the model ", shadow_[i].sizes());
    shadow_[i].copy_(t);
  }
}

}  // namespace ecg::train
