#pragma once
// The one conversion of a page image into a model input, shared by training data
// (synth_pages) and inference (`ecgtorch predict`): an 8-bit BGR image becomes
// [3, H, W] RGB (or [1, H, W] grey) float in [0, 1] (pixel / 255).

#include <torch/types.h>
#include <opencv2/core.hpp>

namespace ecg::render {

/// `bgr`: CV_8UC3. Returns a contiguous float tensor that owns its memory.
torch::Tensor image_to_input(const cv::Mat& bgr, bool grayscale);

}  // namespace ecg::render
