#include "render/page_options.h"

namespace ecg::render {

config::OptionsBinder<PageOptions> page_options_binder() {
  config::OptionsBinder<PageOptions> b("page");
  ECG_BIND(b, paper, "paper size, landscape").choices = {"letter", "a4"};
  ECG_BIND(b, dpi, "pixels per inch").min_value = 10;
  ECG_BIND(b, speed_mm_s, "paper speed, mm/s (25 or 50)").min_value = 1;
  ECG_BIND(b, gain_mm_mv, "gain, mm/mV (5, 10 or 20)").min_value = 0.1;
  ECG_BIND(b, margin_mm, "left, right and bottom margins, mm").min_value = 0;
  ECG_BIND(b, header_mm, "top band for the header, mm").min_value = 0;
  ECG_BIND(b, footer_mm, "bottom band for the speed/gain line, mm").min_value = 0;
  ECG_BIND(b, pulse_mm, "band for the calibration pulse left of the traces, mm").min_value = 0;
  ECG_BIND(b, layout, "lead arrangement").choices = {"3x4", "3x4+1", "3x4+3", "6x2", "12x1", "2x1"};
  ECG_BIND(b, rhythm_leads, "full-length strips (null: the layout's default)");
  auto& o = ECG_BIND(b, row_overlap, "how far (rows) a trace may reach into the next row before it is clipped");
  o.min_value = 0;
  o.max_value = 2;
  ECG_BIND(b, grid, "grid style").choices = {"lines", "dots", "none"};
  ECG_BIND(b, grid_color, "grid colour").choices = {"red", "pink", "brown", "blue", "green", "bw", "random"};
  ECG_BIND(b, minor_line_px, "1 mm line width, px").min_value = 0;
  ECG_BIND(b, major_line_px, "5 mm line width, px").min_value = 0;
  auto& j = ECG_BIND(b, width_jitter, "line and trace widths vary by +- this fraction per page");
  j.min_value = 0;
  j.max_value = 0.9;
  ECG_BIND(b, trace_color, "trace colour").choices = {"black", "blue", "random"};
  ECG_BIND(b, trace_px, "trace width, px").min_value = 0.5;
  ECG_BIND(b, calibration_pulse, "0.2 s x 1 mV pulse at the start of each row");
  ECG_BIND(b, lead_labels, "lead names beside each trace");
  ECG_BIND(b, label_place,
           "above: the label over the trace's start; below: its top 0.35 mV under the zero line (0.2-0.6 "
           "when random), as ecg-image-kit prints it; random: either, per page")
      .choices = {"above", "below", "random"};
  ECG_BIND(b, separators, "short vertical marks between columns");
  ECG_BIND(b, header, "header text: id, date, HR, intervals, filters");
  ECG_BIND(b, footer, "speed / gain / filter line");
  ECG_BIND(b, qr_code, "a QR code in the header");
  ECG_BIND(b, font_mm, "lead label height, mm").min_value = 0.5;
  ECG_BIND(b, font, "TrueType font file");
  return b;
}

}  // namespace ecg::render
