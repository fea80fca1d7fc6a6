#include "train/trainer_options.h"

#include "core/strings.h"

namespace ecg::train {

config::OptionsBinder<TrainerOptions> trainer_options_binder() {
  config::OptionsBinder<TrainerOptions> b("trainer");
  ECG_BIND(b, task, "auto: digitize for digitizer_unet, classify otherwise; toy: no model, a known optimum (sweeps)")
      .choices = {"auto", "digitize", "classify", "toy"};
  ECG_BIND(b, max_steps, "optimizer steps of the run").min_value = 1;
  ECG_BIND(b, steps_per_epoch, "steps of an epoch over an infinite dataset").min_value = 1;
  ECG_BIND(b, batch_size, "examples per batch and process").min_value = 1;
  ECG_BIND(b, workers, "data-loading threads (0: load on the training thread)").min_value = 0;
  ECG_BIND(b, prefetch, "batches built ahead of the training thread").min_value = 1;
  ECG_BIND(b, accumulate, "batches whose gradients are summed per optimizer step").min_value = 1;
  ECG_BIND(b, grad_clip_norm, "clip the global gradient L2 norm to this (0: off)").min_value = 0;
  ECG_BIND(b, lr_multipliers, "per-group lr: 'prefix=factor' for parameters whose name starts with prefix");
  auto& ema = ECG_BIND(b, ema_decay, "EMA of the weights, validated and saved (0: off), e.g. 0.999");
  ema.min_value = 0;
  ema.max_value = 1;
  ECG_BIND(b, amp, "mixed precision: off | bf16 (autocast) | fp16 (CUDA, with a gradient scaler) | auto").choices = {
      "off", "bf16", "fp16", "auto"};
  ECG_BIND(b, channels_last, "channels-last memory format for 4-D inputs and the model");
  ECG_BIND(b, skip_nonfinite, "skip a batch whose loss is NaN or Inf instead of stopping");
  ECG_BIND(b, val_every, "validate every this many steps (0: only at the end)").min_value = 0;
  ECG_BIND(b, val_batches, "validation batches (0: the whole validation set)").min_value = 0;
  auto& vf = ECG_BIND(b, val_fraction, "fraction of a finite dataset held out for validation without val_data");
  vf.min_value = 0;
  vf.max_value = 0.9;
  ECG_BIND(b, checkpoint_every, "checkpoint every this many steps (0: at each validation)").min_value = 0;
  ECG_BIND(b, keep_last, "step checkpoints kept, besides best.pt and last.pt").min_value = 1;
  ECG_BIND(b, best_metric, "metric that chooses best.pt, e.g. val/loss or val/snr_kaggle_db");
  ECG_BIND(b, best_mode, "min: lower is better; max: higher is better").choices = {"min", "max"};
  ECG_BIND(b, early_stop_patience, "stop after this many validations without improvement (0: off)").min_value = 0;
  ECG_BIND(b, log_every, "steps between metrics.jsonl training rows").min_value = 1;
  ECG_BIND(b, plots, "validation examples drawn as PNG and TensorBoard images").min_value = 0;
  ECG_BIND(b, tensorboard, "write TensorBoard event files under tb/");
  ECG_BIND(b, progress, "progress bar on a terminal");
  return b;
}

std::vector<std::pair<std::string, double>> parse_lr_multipliers(const std::vector<std::string>& entries) {
  std::vector<std::pair<std::string, double>> out;
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string& e = entries[i];
    const auto eq = e.rfind('=');
    double f = -1;
    bool ok = eq != std::string::npos && eq > 0;
    if (ok) {
      try {
        size_t used = 0;
        f = std::stod(e.substr(eq + 1), &used);
        ok = used == e.size() - eq - 1;
      } catch (const std::exception&) {
        ok = false;
      }
    }
    ECG_CHECK(ok && f >= 0, "trainer.lr_multipliers.", i, ": expected 'prefix=factor' with factor >= 0, got '", e, "'");
    out.emplace_back(e.substr(0, eq), f);
  }
  return out;
}

}  // namespace ecg::train
