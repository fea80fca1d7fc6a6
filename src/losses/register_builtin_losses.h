#pragma once
// Registers every built-in loss and metric, explicitly (no static self-registration).

#include "losses/loss.h"
#include "losses/metric.h"

namespace ecg::losses {

void register_builtin_losses(LossRegistry& registry);

}  // namespace ecg::losses
