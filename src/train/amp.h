#pragma once
// Mixed precision: an autocast guard and a gradient scaler.
//
// AutocastGuard enables autocast on the device for its lifetime: bf16 on CPU (and on
// CUDA when asked), fp16 on CUDA. LibTorch has no C++ guard; this one mirrors
// torch.autocast (saves and restores the state, clears the cast cache on exit).
//
// GradScaler, for fp16 (Micikevicius et al. 2018, as torch.cuda.amp.GradScaler): the
// loss is multiplied by scale before backward; unscale() divides the gradients by it and
// reports whether any is Inf/NaN; a step with such gradients is skipped and the scale
// halved (backoff_factor); after growth_interval clean steps it doubles (growth_factor).
//
//   GradScaler scaler(GradScalerOptions{});
//   scaler.scale(loss).backward();
//   if (scaler.unscale(optimizer)) optimizer.step();   // false: Inf/NaN, skipped
//   scaler.update();

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>
#include <torch/optim/optimizer.h>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace ecg::train {

/// Resolves trainer.amp ("off" | "bf16" | "fp16" | "auto") for a device: the dtype to
/// autocast to, or std::nullopt for full precision. "auto" is fp16 on CUDA, bf16 on a
/// CPU with native bf16 support, off elsewhere. Throws ecg::Error for fp16 off CUDA.
std::optional<c10::ScalarType> resolve_amp(const std::string& amp, const c10::Device& device);

class AutocastGuard {
 public:
  /// No-op when dtype is nullopt.
  AutocastGuard(const c10::Device& device, std::optional<c10::ScalarType> dtype);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool active_ = false;
  bool cuda_ = false;
  bool prev_enabled_ = false;
  c10::ScalarType prev_dtype_ = c10::ScalarType::Undefined;
};

struct GradScalerOptions {
  double init_scale = 65536.0;
  double growth_factor = 2.0;
  double backoff_factor = 0.5;
  int64_t growth_interval = 2000;
};

class GradScaler {
 public:
  explicit GradScaler(GradScalerOptions options = {});
  torch::Tensor scale(const torch::Tensor& loss) const { return loss * scale_; }
  /// Divides every gradient by the scale; false when any gradient is not finite.
  bool unscale(torch::optim::Optimizer& optimizer);
  /// Adjusts the scale after a step, from the last unscale() result.
  void update();
  double current_scale() const { return scale_; }

  nlohmann::json state() const;
  void load_state(const nlohmann::json& state);

 private:
  GradScalerOptions o_;
  double scale_;
  int64_t clean_steps_ = 0;
  bool last_found_inf_ = false;
};

}  // namespace ecg::train
