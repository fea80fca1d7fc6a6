#pragma once
// PageOptions: everything that decides how a clean page looks, in physical units. Every
// field is a config key (`ecgtorch synth ... dpi=300 layout=6x2 grid_color=blue`); see
// page_layout.h for the geometry and page_renderer.h for the drawing.
// "random" choices and the *_jitter ranges are drawn per page from its seed.

#include <torch/arg.h>

#include <optional>
#include <string>
#include <vector>

#include "core/options_binder.h"

namespace ecg::render {

struct PageOptions {
  // Geometry (page_layout.h).
  TORCH_ARG(std::string, paper) = "letter";  // letter (279.4 x 215.9 mm) | a4 (297 x 210 mm), landscape
  TORCH_ARG(double, dpi) = 200.0;
  TORCH_ARG(double, speed_mm_s) = 25.0;  // 25 | 50
  TORCH_ARG(double, gain_mm_mv) = 10.0;  // 5 | 10 | 20
  TORCH_ARG(double, margin_mm) = 8.0;    // left, right and bottom
  TORCH_ARG(double, header_mm) = 24.0;   // top band for the header text
  TORCH_ARG(double, footer_mm) = 7.0;    // bottom band for the speed / gain line
  TORCH_ARG(double, pulse_mm) = 10.0;    // band left of the traces for the calibration pulse
  TORCH_ARG(std::string, layout) = "3x4+1";
  TORCH_ARG(std::optional<std::vector<std::string>>, rhythm_leads) = std::nullopt;
  TORCH_ARG(double, row_overlap) = 0.5;  // traces reach this fraction of a row into the next, then clip
  // Grid.
  TORCH_ARG(std::string, grid) = "lines";      // lines | dots | none
  TORCH_ARG(std::string, grid_color) = "red";  // red | pink | brown | blue | green | bw | random
  TORCH_ARG(double, minor_line_px) = 1.0;      // width of the 1 mm lines
  TORCH_ARG(double, major_line_px) = 2.0;      // width of the 5 mm lines
  TORCH_ARG(double, width_jitter) = 0.25;      // line and trace widths vary by +- this fraction
  // Trace and text.
  TORCH_ARG(std::string, trace_color) = "black";  // black | blue | random
  TORCH_ARG(double, trace_px) = 2.0;              // trace width
  TORCH_ARG(bool, calibration_pulse) = true;
  TORCH_ARG(bool, lead_labels) = true;
  TORCH_ARG(std::string, label_place) = "above";  // above | below (as ecg-image-kit: under the zero line) | random
  TORCH_ARG(bool, separators) = true;
  TORCH_ARG(bool, header) = true;
  TORCH_ARG(bool, footer) = true;
  TORCH_ARG(bool, qr_code) = false;
  TORCH_ARG(double, font_mm) = 3.5;  // height of the lead labels
  TORCH_ARG(std::string, font) = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
};

/// Binds every field with its help, ranges and choices.
config::OptionsBinder<PageOptions> page_options_binder();

}  // namespace ecg::render
