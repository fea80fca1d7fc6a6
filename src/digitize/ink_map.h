#pragma once
// Trace ink on a canonical page: how dark each pixel is against its paper, with the grid's
// colour left out, and a binary mask of the pixels that are ink.
//
//   darkness  CV_32F in [0, 1]: 1 - max(B, G, R) / paper, where `paper` is the local
//             brightness of the max channel. A coloured grid (red, pink, brown, blue,
//             green) keeps one channel near the paper's and reads about 0; black or grey
//             ink reads high on every channel. Smoothed by a 3x3 Gaussian against sensor
//             noise and JPEG ringing.
//   mask      CV_8U 0 | 255: darkness > threshold. The threshold adapts to the grid: the
//             darkness of the grid itself (a grey B/W grid reads 0.25-0.6) is estimated as
//             the 90th percentile of darkness over the grid-or-ink pixels, and the
//             threshold is set between it and black ink: max(0.3, grid + 0.4 (1 - grid)),
//             at most 0.75. Ink within 0.5 mm of the image's border (a frame, a scan's
//             edge) is cleared, and so are solid dark regions touching the border (a
//             rotated page's corners: components thicker than 1 mm on average).
//
//   InkMap ink = find_ink(canonical_bgr, geometry.canonical_px_per_mm);

#include <opencv2/core.hpp>

namespace ecg::digitize {

struct InkMap {
  cv::Mat darkness;  // CV_32F [0, 1]
  cv::Mat mask;      // CV_8U 0 | 255
  double threshold = 0;
  double grid_darkness = 0;
};

/// Throws ecg::Error for an empty image or one that is not 8-bit BGR / grey.
InkMap find_ink(const cv::Mat& image, double px_per_mm);

}  // namespace ecg::digitize
