#pragma once
// Per-pixel extremes over an 8-bit image's colour channels, which the grid signal (the
// darkest channel: a coloured grid shows) and the ink map (the brightest channel: only
// ink that is dark in every channel shows) are built on. A grey image is its own extreme.

#include <opencv2/core.hpp>

namespace ecg::digitize {

/// CV_8U, the image's size: max over B, G, R (or the grey image itself).
cv::Mat channel_max(const cv::Mat& image);

/// CV_8U, the image's size: min over B, G, R (or the grey image itself).
cv::Mat channel_min(const cv::Mat& image);

}  // namespace ecg::digitize
