#include "losses/register_builtin_losses.h"

#include "losses/classification_losses.h"
#include "losses/classification_metrics.h"
#include "losses/detection_metrics.h"
#include "losses/regression_losses.h"
#include "losses/set_loss.h"
#include "losses/signal_losses.h"
#include "losses/signal_metrics.h"
#include "losses/snr_metrics.h"
#include "losses/spectral_losses.h"
#include "losses/strip_trace_losses.h"
#include "losses/strip_trace_metrics.h"

namespace ecg::losses {

void register_builtin_losses(LossRegistry& registry) {
  register_regression_losses(registry);
  register_signal_losses(registry);
  register_spectral_losses(registry);
  register_classification_losses(registry);
  register_set_losses(registry);
  register_strip_trace_losses(registry);
}

void register_builtin_metrics(MetricRegistry& registry) {
  register_snr_metrics(registry);
  register_signal_metrics(registry);
  register_classification_metrics(registry);
  register_detection_metrics(registry);
  register_strip_trace_metrics(registry);
}

}  // namespace ecg::losses
