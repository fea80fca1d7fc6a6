#include "render/image_tensor.h"

#include <torch/torch.h>
#include <opencv2/imgproc.hpp>

#include "core/error.h"

namespace ecg::render {

torch::Tensor image_to_input(const cv::Mat& bgr, bool grayscale) {
  ECG_CHECK(bgr.type() == CV_8UC3, "image_to_input: expected an 8-bit BGR image, got OpenCV type ", bgr.type());
  cv::Mat img;
  cv::cvtColor(bgr, img, grayscale ? cv::COLOR_BGR2GRAY : cv::COLOR_BGR2RGB);
  return torch::from_blob(img.data, {img.rows, img.cols, img.channels()}, torch::kUInt8)
      .permute({2, 0, 1})
      .to(torch::kFloat)
      .div_(255.0)
      .contiguous();
}

}  // namespace ecg::render
