#pragma once
// Registers every built-in loss and metric, explicitly (no static self-registration).

#include "losses/loss.h"
#include "losses/metric.h"

namespace ecg::losses {

/// mse, l1, smooth_l1, pearson, snr, spectral, focal_frequency, mr_stft, cross_entropy,
/// bce, focal, class_balanced, ldam, asymmetric, detr. `registry` must outlive its use
/// (class_balanced builds its base loss through it).
void register_builtin_losses(LossRegistry& registry);

/// snr_challenge2024, snr_kaggle, pearson, mae_uv, keypoint_error, macro_f, macro_auroc,
/// accuracy, ece.
void register_builtin_metrics(MetricRegistry& registry);

}  // namespace ecg::losses
