#pragma once
// The page model of a printed 12-lead ECG, in physical units (mm, seconds, mV), and the
// layouts that place each lead on it.
//
// Coordinates: mm from the page's top-left corner, y downwards. A pixel's centre is at
// integer pixel coordinates, so mm m maps to pixel m * px_per_mm - 0.5.
//
// Layouts (ecg-image-kit's conventions, ../shared/REFERENCE.md):
//   3x4      3 rows x 4 columns; column k shows [k T/4, (k+1) T/4) of the record, where T
//            is the strip duration (10 s at 25 mm/s); rows I aVR V1 V4 / II aVL V2 V5 /
//            III aVF V3 V6.
//   3x4+1    3x4 plus one rhythm strip over the full T (default lead II);
//   3x4+3    3x4 plus three rhythm strips (default II, V1, V5);
//   6x2      6 rows x 2 columns (I-aVF | V1-V6);
//   12x1     one full-length row per lead;
//   2x1      two full-length strips (default II, V1).
//   rhythm_leads, when given, replaces the layout's default rhythm leads (3x4+1 takes
//   one, 3x4+3 three, 2x1 two; a list of another length is an error).
// The strip duration T is min(10 s, trace width / speed): at 50 mm/s a row shows 5 s.

#include <optional>
#include <string>
#include <vector>

#include "render/page_options.h"

namespace ecg::render {

/// One lead window on the page.
struct Panel {
  std::string lead;  // as in standard_leads()
  int64_t row = 0, column = 0;
  bool rhythm = false;                         // a full-length strip
  double t0_s = 0, t1_s = 0;                   // the record's time window [t0, t1)
  double x0_mm = 0;                            // x of t0
  double baseline_mm = 0;                      // y of 0 mV
  double clip_top_mm = 0, clip_bottom_mm = 0;  // the printer's band for this row
};

struct PageLayout {
  double width_mm = 0, height_mm = 0, px_per_mm = 0;
  int width_px = 0, height_px = 0;
  double trace_x0_mm = 0, trace_width_mm = 0;  // where t = 0 is drawn and how wide a row is
  double strip_s = 0;                          // T
  int rows = 0, columns = 0;
  double row_height_mm = 0;
  std::vector<double> row_baseline_mm;  // per row
  std::vector<Panel> panels;

  double to_px(double mm) const { return mm * px_per_mm - 0.5; }
};

/// Places the panels; throws ecg::Error naming the option for an unknown paper, layout or
/// lead, a non-positive scale, or a page too small for the layout.
PageLayout make_layout(const PageOptions& options);

}  // namespace ecg::render
