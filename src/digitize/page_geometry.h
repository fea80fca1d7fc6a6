#pragma once
// Page geometry: the scale and orientation of an ECG page found from the image alone,
// and the one warp that takes it to the canonical frame every later stage works in.
//
// The grid is read from the "grid-or-ink" signal g = 1 - min(B, G, R) / paper, where
// `paper` is the local paper brightness (a max filter at 1/8 scale), so red, pink, brown,
// blue, green, grey and dotted grids all show as periodic structure:
//   angle    the page is cut into 32 stripes; each stripe's profile across the lines is
//            shifted by x tan(angle) and summed; the angle that makes the sum sharpest
//            (largest sum of squares) wins: coarse 0.1 deg steps in +-max_angle_deg, then
//            0.005 deg. Horizontal and vertical lines are measured apart, so a shear (a
//            scanner's skew) is corrected too.
//   period   on the derotated profile, spectral peaks are candidates for the 1 mm
//            (minor) frequency f; a candidate needs the 5 mm comb beneath it (energy at
//            f/5, 2f/5, 3f/5, 4f/5 well above the spectrum's floor), and the lowest such f
//            wins; refined to a small fraction of a pixel by maximising the DFT energy of
//            its harmonics. Where only one family of lines shows (a 5 mm-only grid, or
//            major lines too faint), the strongest peak is the 5 mm or the 1 mm period,
//            whichever makes the image nearer a whole page's size.
// Fallbacks, in order, when no grid is found (plain paper, a B/W print with the grid
// thresholded away): the page size (`page_width_mm`, landscape letter by default); the
// calibration pulses then set it (page_reader.h: their height is 1 mV at `gain_mm_mv`).
// `scale_source` says which: grid | page | pulse (| truth, for the oracle stages).
//
// Perspective (grid lines that are not parallel, a photographed page): after the affine
// warp, the 5 mm lines' phase in 40 mm tiles gives the residual displacement, and a
// homography fitted to it (RANSAC) is composed with the affine warp; a page whose
// residual is under 0.5 px keeps the affine warp. `perspective_px` says how much it took out.
//
// The canonical frame: axis-aligned, `canonical_px_per_mm` in both axes (7.874, a 200
// dpi page, by default). `to_canonical` maps input pixels to canonical pixels (a 3x3
// homography); its inverse maps results back onto the input image.
//
//   PageGeometry g = find_geometry(bgr, GeometryOptions());
//   cv::Mat page = warp_to_canonical(bgr, g);   // g.canonical_size

#include <opencv2/core.hpp>

#include <string>

namespace ecg::digitize {

struct GeometryOptions {
  double canonical_px_per_mm = 200.0 / 25.4;
  double max_angle_deg = 6.0;
  double min_px_per_mm = 1.5;    // about 38 dpi
  double max_px_per_mm = 40.0;   // about 1000 dpi
  double page_width_mm = 279.4;  // the fallback scale: the page's long side
  bool perspective = true;       // fit the residual homography from the 5 mm lines
};

struct PageGeometry {
  double angle_h_deg = 0;                   // horizontal grid lines: y = c + x tan(angle_h)
  double angle_v_deg = 0;                   // vertical grid lines: x = c - y tan(angle_v); equal for a rotation
  double px_per_mm_x = 0, px_per_mm_y = 0;  // in the input image, along the lines' normals
  double grid_strength = 0;                 // peak-to-floor ratio of the 1 mm harmonic (0: none)
  bool minor_lines = true;                  // false: only the 5 mm grid was found
  std::string scale_source;                 // grid | page | pulse | truth
  double canonical_px_per_mm = 0;
  double perspective_px = 0;  // the spread of the grid displacement the homography took out (0: affine)
  cv::Matx33d to_canonical = cv::Matx33d::eye();
  cv::Size input_size, canonical_size;
};

/// Throws ecg::Error for an empty image or one that is not 8-bit BGR / grey.
PageGeometry find_geometry(const cv::Mat& image, const GeometryOptions& options);

/// The image in the canonical frame (bilinear); the input itself when the warp moves no
/// pixel by more than 0.1 px.
cv::Mat warp_to_canonical(const cv::Mat& image, const PageGeometry& geometry);

/// Rebuilds to_canonical / canonical_size for another canonical scale (the pulse fallback).
void set_canonical_transform(PageGeometry& geometry, double canonical_px_per_mm);

/// The grid-or-ink signal g in [0, 1] (CV_32F), as described above.
cv::Mat grid_signal(const cv::Mat& image);

struct GridPeriod {
  double period_px = 0;  // the 1 mm period (or 5 mm / 5 when only major lines exist)
  double strength = 0;   // peak-to-floor ratio of its fundamental
  bool minor = true;
};

/// The 1 mm period of a 1-D profile across grid lines (see above). strength 0: none found.
/// Where only one family of lines shows, `expected_period_px` (> 0: the 1 mm period if the
/// image showed a whole page) decides whether they are the 1 mm or the 5 mm lines.
GridPeriod find_grid_period(const std::vector<double>& profile, double min_period_px, double max_period_px,
                            double expected_period_px = 0);

}  // namespace ecg::digitize
