#include "train/keypoint_plot.h"

#include <torch/torch.h>

#include <opencv2/imgproc.hpp>

#include <array>
#include <string>

namespace ecg::train {

cv::Mat keypoint_plot(const torch::Tensor& image, const torch::Tensor& target, const torch::Tensor& pred_in) {
  if (image.dim() != 3 || (image.size(0) != 1 && image.size(0) != 3) || target.dim() != 2 || target.size(1) != 3)
    return {};
  torch::Tensor pred = pred_in.detach().to(torch::kCPU, torch::kFloat);
  if (pred.dim() == 3) pred = pred[pred.size(0) - 1];
  if (pred.dim() != 2 || pred.size(1) < 4) return {};
  const int64_t classes = pred.size(1) - 3;  // without "no object"
  const int h = static_cast<int>(image.size(1)), w = static_cast<int>(image.size(2));
  auto img = (image.detach().to(torch::kCPU, torch::kFloat).clamp(0, 1) * 255).round().to(torch::kUInt8);
  if (img.size(0) == 1) img = img.expand({3, h, w});
  img = img.permute({1, 2, 0}).contiguous();
  cv::Mat rgb(h, w, CV_8UC3, img.data_ptr<uint8_t>());
  cv::Mat out;
  cv::cvtColor(rgb, out, cv::COLOR_RGB2BGR);
  static const std::array<cv::Scalar, 5> colours = {cv::Scalar(220, 80, 0), cv::Scalar(0, 160, 0),
                                                    cv::Scalar(0, 0, 220), cv::Scalar(200, 0, 200),
                                                    cv::Scalar(0, 140, 255)};
  auto colour = [&](int64_t c) { return colours[static_cast<size_t>(c) % colours.size()]; };
  auto point = [&](double x, double y) {
    return cv::Point(static_cast<int>(std::lround(x * w)), static_cast<int>(std::lround(y * h)));
  };
  const auto t = target.detach().to(torch::kCPU, torch::kDouble).contiguous();
  for (int64_t m = 0; m < t.size(0); ++m) {
    const auto c = static_cast<int64_t>(t[m][0].item<double>());
    if (c < 0 || c >= classes) continue;
    cv::circle(out, point(t[m][1].item<double>(), t[m][2].item<double>()), 5, colour(c), 1, cv::LINE_8);
  }
  const auto cls = pred.narrow(1, 0, classes + 1).argmax(1);
  for (int64_t q = 0; q < pred.size(0); ++q) {
    const int64_t c = cls[q].item<int64_t>();
    if (c == classes) continue;
    const cv::Point p = point(pred[q][classes + 1].item<double>(), pred[q][classes + 2].item<double>());
    cv::line(out, p - cv::Point(4, 4), p + cv::Point(4, 4), colour(c), 1, cv::LINE_8);
    cv::line(out, p - cv::Point(4, -4), p + cv::Point(4, -4), colour(c), 1, cv::LINE_8);
  }
  static const char* names[] = {"P", "Q", "R", "S", "T"};
  for (int64_t c = 0; c < classes; ++c) {
    const std::string label = c < 5 ? names[c] : std::to_string(c);
    cv::putText(out, label, {6 + 14 * static_cast<int>(c), 14}, cv::FONT_HERSHEY_SIMPLEX, 0.45, colour(c), 1,
                cv::LINE_AA);
  }
  cv::putText(out, "o truth  x prediction", {6 + 14 * static_cast<int>(classes) + 6, 14}, cv::FONT_HERSHEY_SIMPLEX, 0.4,
              cv::Scalar(60, 60, 60), 1, cv::LINE_AA);
  return out;
}

}  // namespace ecg::train
