#pragma once
// Layout: the lead rows of a canonical page, their zero lines and time origins, the
// calibration pulses, and the panels, found in the ink map alone. The result is a
// render::PageLayout (the same type the renderer places leads with) in the canonical
// frame, plus what each row's finding rests on.
//
// Rows      peaks of the ink's row profile (smoothed over 1 mm) that are at least 8 mm
//           apart and whose ink covers at least a quarter of the page's width within
//           +-2 mm: trace rows, not header or footer text.
// Pulse     at a row's left end: a flat top 3-12 mm wide standing 4-25 mm above the
//           row, between two vertical strokes. Its foot is the row's 0 mV line and its
//           height 1 mV (the gain, snapped to 5, 10 or 20 mm/mV when within 10 %).
//           Without a pulse the zero line is the mode of the row's trace (read later).
// Time      the row's ink ends where its last sample is drawn: the origin is
//           end - strip_s * speed, and the start of the trace confirms it where visible.
//           strip_s is the row's drawn length in seconds, snapped to a multiple of 0.5 s.
// Panels    separators (short vertical bars across the zero line) at 1/4, 2/4, 3/4 of
//           a row mark 4 columns; at 1/2 alone, 2 columns; none, a full-length strip.
//           The layout follows from the rows: 3x4 (+ rhythm strips), 6x2, 12x1, 2x1;
//           lead names from the standard order of that layout (page_layout.h).
//
//   LayoutOptions o; o.px_per_mm = 7.874;
//   FoundLayout f = find_layout(ink, o);

#include <string>
#include <vector>

#include "digitize/ink_map.h"
#include "render/page_layout.h"

namespace ecg::digitize {

struct LayoutOptions {
  double px_per_mm = 200.0 / 25.4;  // of the canonical frame
  double speed_mm_s = 25.0;
  double gain_mm_mv = 10.0;  // when no pulse is found
  // The first sample of a row is drawn this long after the end of its calibration pulse
  // and each column's first sample this long after its separator. ecg-image-kit draws it
  // one sample period of its 500 Hz records late (0.39 px at 200 dpi; measured on its dev
  // pages, where it is worth 4 dB of Challenge SNR); 0 for a printer that starts on the mark.
  double trace_lag_s = 0.002;
  std::string layout = "auto";
  std::vector<std::string> rhythm_leads = {};  // empty: the layout's default
};

struct RowFinding {
  double y_px = 0;     // the row profile's peak
  double zero_px = 0;  // 0 mV; from the pulse when found, else the peak (refined later)
  bool pulse = false;
  double pulse_left_px = 0, pulse_right_px = 0, pulse_top_px = 0;
  double gain_mm_mv = 10;
  double pulse_height_mm = 0;                // the pulse as measured, before snapping to 5 / 10 / 20 (0: none)
  double ink_left_px = 0, ink_right_px = 0;  // the row's trace ink, pulse excluded
  double x0_px = 0;                          // where t = 0 of the row is drawn
  int columns = 1;
  int separators = 0;  // found at the expected boundaries
};

struct FoundLayout {
  std::string name;  // 3x4, 3x4+1, 3x4+3, 6x2, 12x1, 2x1, or rows-N when none fits
  double px_per_mm = 0, speed_mm_s = 0, strip_s = 0;
  std::vector<RowFinding> rows;
  render::PageLayout layout;  // panels in the canonical frame's mm
  std::string zero_source;    // pulse | trace
};

/// Throws ecg::Error "no ECG trace rows found" when no row qualifies.
FoundLayout find_layout(const InkMap& ink, const LayoutOptions& options);

/// The standard lead order of `layout` for rows of the given column counts (top to
/// bottom), e.g. 3x4+1 -> {I aVR V1 V4}, {II aVL V2 V5}, {III aVF V3 V6}, {II}.
std::vector<std::vector<std::string>> standard_rows(const std::string& layout,
                                                    const std::vector<std::string>& rhythm_leads);

}  // namespace ecg::digitize
