#pragma once
// The marks on a trace row that are not its trace: the calibration pulse's falling stroke
// at the row's start and the separator bars at its panel boundaries. Trace readers leave
// the columns near them out, and page_signals.h interpolates over them.
//
//   if (near_row_marks(layout, r, x, 1 + lw, 2 + lw)) continue;

#include <cstddef>

#include "digitize/layout_finder.h"

namespace ecg::digitize {

/// Whether canonical column x of row `row` lies within pulse_margin_px right of the row's
/// pulse (when it has one) or within separator_margin_px of a panel boundary between
/// columns (x0 + strip_s * c / columns * speed * px_per_mm, c = 1 .. columns - 1).
bool near_row_marks(const FoundLayout& layout, size_t row, double x, double pulse_margin_px,
                    double separator_margin_px);

}  // namespace ecg::digitize
