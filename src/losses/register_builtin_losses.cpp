#include "losses/register_builtin_losses.h"

#include "losses/regression_losses.h"

namespace ecg::losses {

void register_builtin_losses(LossRegistry& registry) { register_regression_losses(registry); }

}  // namespace ecg::losses
