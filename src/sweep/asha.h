#pragma once
// ASHA (Li et al. 2020, asynchronous successive halving) as a stopping rule. Rung k sits
// at step min_steps * eta^k. When a trial reaches a rung, its metric there is compared
// with every value recorded at that rung so far (its own included): it continues only
// when it is within the top 1/eta of them (the best one while fewer than eta values are
// in; as in Optuna's SuccessiveHalvingPruner), otherwise it is pruned.
//
//   AshaOptions a{100, 3};
//   a.rung_step(2) == 900;
//   bool keep = asha_keeps(0.8, {0.5, 0.8, 0.9}, a.eta, /*maximize=*/true);  // false: not in the top third

#include <cstdint>
#include <vector>

namespace ecg::sweep {

struct AshaOptions {
  int64_t min_steps = 100;
  double eta = 3;
  int64_t rung_step(int64_t rung) const;
  /// The highest rung whose step is <= `step`, or -1.
  int64_t rung_at(int64_t step) const;
};

/// True when `value` is promotable among `competing` (which includes it).
bool asha_keeps(double value, std::vector<double> competing, double eta, bool maximize);

}  // namespace ecg::sweep
