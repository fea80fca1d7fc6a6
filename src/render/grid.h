#pragma once
// ECG paper: a background colour with 1 mm minor and 5 mm major lines (or dots at the
// minor crossings), drawn with exact anti-aliasing: each line's coverage of a pixel is
// the overlap of the line's [centre - w/2, centre + w/2] with the pixel. Major lines lie
// over minor ones. A 2200 x 1700 page takes about 3 ms on one core: the vertical lines
// are composed once into a row template that every row copies.

#include <opencv2/core.hpp>

#include <string>

namespace ecg::render {

struct GridStyle {
  std::string kind = "lines";                                              // lines | dots | none
  cv::Vec3b paper{255, 255, 255}, minor{219, 223, 254}, major{0, 0, 255};  // BGR
  double minor_px = 1.0, major_px = 2.0;                                   // line widths
  double px_per_mm = 200 / 25.4;
  double origin_x_mm = 0, origin_y_mm = 0;  // a major line passes through this point
};

/// Fills `image` (CV_8UC3) with the paper and its grid.
void draw_grid(cv::Mat& image, const GridStyle& style);

/// Grid colours by name (red, pink, brown, blue, green, bw): minor and major, BGR.
void grid_colors(const std::string& name, cv::Vec3b* minor, cv::Vec3b* major);

}  // namespace ecg::render
