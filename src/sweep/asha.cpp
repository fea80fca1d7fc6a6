#include "sweep/asha.h"

#include <algorithm>
#include <cmath>

namespace ecg::sweep {

int64_t AshaOptions::rung_step(int64_t rung) const {
  return static_cast<int64_t>(std::llround(static_cast<double>(min_steps) * std::pow(eta, static_cast<double>(rung))));
}

int64_t AshaOptions::rung_at(int64_t step) const {
  int64_t k = -1;
  while (rung_step(k + 1) <= step) ++k;
  return k;
}

bool asha_keeps(double value, std::vector<double> competing, double eta, bool maximize) {
  if (competing.empty()) return true;
  int64_t idx = static_cast<int64_t>(std::floor(static_cast<double>(competing.size()) / eta)) - 1;
  if (idx < 0) idx = 0;
  if (maximize) {
    std::sort(competing.begin(), competing.end(), std::greater<double>());
    return value >= competing[static_cast<size_t>(idx)];
  }
  std::sort(competing.begin(), competing.end());
  return value <= competing[static_cast<size_t>(idx)];
}

}  // namespace ecg::sweep
