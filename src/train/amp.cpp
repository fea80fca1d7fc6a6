#include "train/amp.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include "core/error.h"

// LibTorch 2.4 replaced the per-device autocast switches with device-type arguments.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define ECG_AUTOCAST_BY_DEVICE_TYPE 1
#else
#define ECG_AUTOCAST_BY_DEVICE_TYPE 0
#endif

namespace ecg::train {
namespace {

bool cpu_has_native_bf16() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512bf16") != 0;
#else
  return false;
#endif
}

bool autocast_enabled(bool cuda) {
#if ECG_AUTOCAST_BY_DEVICE_TYPE
  return at::autocast::is_autocast_enabled(cuda ? at::kCUDA : at::kCPU);
#else
  return cuda ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

void set_autocast(bool cuda, bool enabled, c10::ScalarType dtype) {
#if ECG_AUTOCAST_BY_DEVICE_TYPE
  const auto type = cuda ? at::kCUDA : at::kCPU;
  at::autocast::set_autocast_enabled(type, enabled);
  at::autocast::set_autocast_dtype(type, dtype);
#else
  if (cuda) {
    at::autocast::set_enabled(enabled);
    at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    at::autocast::set_cpu_enabled(enabled);
    at::autocast::set_autocast_cpu_dtype(dtype);
  }
#endif
}

c10::ScalarType autocast_dtype(bool cuda) {
#if ECG_AUTOCAST_BY_DEVICE_TYPE
  return at::autocast::get_autocast_dtype(cuda ? at::kCUDA : at::kCPU);
#else
  return cuda ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
#endif
}

}  // namespace

std::optional<c10::ScalarType> resolve_amp(const std::string& amp, const c10::Device& device) {
  if (amp == "off") return std::nullopt;
  if (amp == "bf16") {
    ECG_CHECK(device.is_cpu() || device.is_cuda(), "trainer.amp: bf16 autocast needs a CPU or CUDA device, got ",
              device.str());
    return c10::ScalarType::BFloat16;
  }
  if (amp == "fp16") {
    ECG_CHECK(device.is_cuda(), "trainer.amp: fp16 needs a CUDA device, got ", device.str(), " (use bf16 on CPU)");
    return c10::ScalarType::Half;
  }
  ECG_CHECK(amp == "auto", "trainer.amp: expected off | bf16 | fp16 | auto, got '", amp, "'");
  if (device.is_cuda()) return c10::ScalarType::Half;
  if (device.is_cpu() && cpu_has_native_bf16()) return c10::ScalarType::BFloat16;
  return std::nullopt;
}

AutocastGuard::AutocastGuard(const c10::Device& device, std::optional<c10::ScalarType> dtype) {
  if (!dtype) return;
  ECG_CHECK(device.is_cpu() || device.is_cuda(), "autocast: unsupported device ", device.str());
  cuda_ = device.is_cuda();
  prev_enabled_ = autocast_enabled(cuda_);
  prev_dtype_ = autocast_dtype(cuda_);
  set_autocast(cuda_, true, *dtype);
  at::autocast::increment_nesting();
  active_ = true;
}

AutocastGuard::~AutocastGuard() {
  if (!active_) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_autocast(cuda_, prev_enabled_, prev_dtype_);
}

GradScaler::GradScaler(GradScalerOptions options) : o_(options), scale_(options.init_scale) {
  ECG_CHECK(o_.init_scale > 0 && o_.growth_factor > 1 && o_.backoff_factor > 0 && o_.backoff_factor < 1 &&
                o_.growth_interval > 0,
            "GradScaler: need init_scale > 0, growth_factor > 1, 0 < backoff_factor < 1, growth_interval > 0");
}

bool GradScaler::unscale(torch::optim::Optimizer& optimizer) {
  torch::NoGradGuard no_grad;
  const double inv = 1.0 / scale_;
  std::vector<torch::Tensor> finite;
  for (auto& group : optimizer.param_groups()) {
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      p.mutable_grad().mul_(inv);
      finite.push_back(p.grad().isfinite().all());
    }
  }
  // One device-to-host sync for all parameters.
  last_found_inf_ = !finite.empty() && !torch::stack(finite).all().item<bool>();
  return !last_found_inf_;
}

void GradScaler::update() {
  if (last_found_inf_) {
    scale_ *= o_.backoff_factor;
    clean_steps_ = 0;
  } else if (++clean_steps_ >= o_.growth_interval) {
    scale_ *= o_.growth_factor;
    clean_steps_ = 0;
  }
}

nlohmann::json GradScaler::state() const {
  return {{"scale", scale_}, {"clean_steps", clean_steps_}};
}

void GradScaler::load_state(const nlohmann::json& state) {
  scale_ = state.at("scale").get<double>();
  clean_steps_ = state.at("clean_steps").get<int64_t>();
}

}  // namespace ecg::train
