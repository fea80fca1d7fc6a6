#pragma once
// The validation picture of a keypoint set predictor (vit_detr, coords keypoint): the
// input image with the true keypoints as circles and the predicted ones (queries whose
// arg-max class is not "no object") as crosses, one colour per class (P, Q, R, S, T:
// blue, green, red, magenta, orange), and a legend.
//
//   cv::Mat m = keypoint_plot(image, target, pred);
//   image   [C, H, W] in [0, 1] (C = 3: RGB, C = 1: grey)
//   target  [M, 3] (class, x / W, y / H); class -1 rows are padding
//   pred    [Q, K + 1 + 2] or [L, Q, K + 1 + 2] (the last decoder layer is drawn): class
//           logits, the last "no object", then x / W, y / H
// Returns an empty Mat when the shapes are not those (the caller then has no picture).

#include <torch/types.h>

#include <opencv2/core.hpp>

namespace ecg::train {

cv::Mat keypoint_plot(const torch::Tensor& image, const torch::Tensor& target, const torch::Tensor& pred);

}  // namespace ecg::train
