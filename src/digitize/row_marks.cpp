#include "digitize/row_marks.h"

#include <cmath>

namespace ecg::digitize {

bool near_row_marks(const FoundLayout& f, size_t r, double x, double pulse_margin_px, double separator_margin_px) {
  const auto& row = f.rows[r];
  if (row.pulse && x <= row.pulse_right_px + pulse_margin_px) return true;
  const double pps = f.speed_mm_s * f.px_per_mm;
  for (int c = 1; c < row.columns; ++c) {
    const double xb = row.x0_px + f.strip_s * c / row.columns * pps;
    if (std::abs(x - xb) <= separator_margin_px) return true;
  }
  return false;
}

}  // namespace ecg::digitize
