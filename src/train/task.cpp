#include "train/task.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "models/digitizer_unet.h"
#include "models/multimodal.h"
#include "train/keypoint_plot.h"

namespace ecg::train {
namespace {

torch::Tensor model_input(const data::Batch& b, const std::string& name) {
  if (name == "input") return b.input;
  const auto it = b.extras.find(name);
  return it != b.extras.end() ? it->second : torch::Tensor();
}

class ClassifyTask : public Task {
 public:
  std::string name() const override { return "classify"; }
  torch::Tensor forward(models::EcgModel& model, const data::Batch& b) const override {
    const auto names = model.input_names();
    if (names.size() == 1 && names[0] == "input") return model.forward(b.input);
    std::vector<torch::Tensor> inputs;
    for (const auto& n : names) inputs.push_back(model_input(b, n));
    auto out = model.forward_inputs(inputs);
    // multimodal: [logits | severity | confidence]; the labels train the logits.
    if (const auto* mm = dynamic_cast<const models::MultimodalImpl*>(&model))
      out = out.narrow(1, 0, mm->options.num_classes());
    return out;
  }
  // Keypoint set predictors on images (vit_detr): the image with true and predicted
  // keypoints; no picture for other classifiers.
  cv::Mat plot(const data::Batch& b, const torch::Tensor& pred, int64_t i) const override {
    if (!b.input.defined() || b.input.dim() != 4 || !b.target.defined() || b.target.dim() != 3) return {};
    return keypoint_plot(b.input[i], b.target[i], pred[i]);
  }
};

class DigitizeTask : public Task {
 public:
  std::string name() const override { return "digitize"; }
  torch::Tensor forward(models::EcgModel& model, const data::Batch& b) const override {
    auto* unet = dynamic_cast<models::DigitizerUnetImpl*>(&model);
    const auto px = b.extras.find("px_per_mm");
    if (unet != nullptr && px != b.extras.end()) return unet->outputs(b.input, px->second).mv;
    return model.forward(b.input);
  }

  cv::Mat plot(const data::Batch& b, const torch::Tensor& pred, int64_t i) const override {
    const auto p = pred[i].detach().to(torch::kCPU, torch::kFloat32).contiguous();
    const auto t = b.target[i].detach().to(torch::kCPU, torch::kFloat32).contiguous();
    ECG_CHECK(p.dim() == 2 && p.sizes() == t.sizes(), "digitize plot: pred ", p.sizes(), " vs target ", t.sizes());
    const int64_t leads = p.size(0), w = p.size(1);
    const int row_h = 48, width = static_cast<int>(std::max<int64_t>(w, 64));
    cv::Mat img(static_cast<int>(leads) * row_h, width, CV_8UC3, cv::Scalar(255, 255, 255));
    const float* pp = p.data_ptr<float>();
    const float* tp = t.data_ptr<float>();
    const double px_per_mv = row_h / 3.0;  // a row spans 3 mV
    for (int64_t l = 0; l < leads; ++l) {
      const int mid = static_cast<int>(l) * row_h + row_h / 2;
      cv::line(img, {0, mid}, {width - 1, mid}, cv::Scalar(225, 225, 225));
      auto draw = [&](const float* v, const cv::Scalar& color) {
        std::vector<cv::Point> run;
        auto flush = [&] {
          if (run.size() > 1) cv::polylines(img, run, false, color, 1, cv::LINE_AA);
          run.clear();
        };
        for (int64_t x = 0; x < w; ++x) {
          const float y = v[l * w + x];
          if (!std::isfinite(y) || !std::isfinite(tp[l * w + x])) {
            flush();
            continue;
          }
          const double yy = std::clamp(mid - y * px_per_mv, mid - row_h / 2.0, mid + row_h / 2.0 - 1);
          run.emplace_back(static_cast<int>(x), static_cast<int>(std::lround(yy)));
        }
        flush();
      };
      draw(tp, cv::Scalar(0, 0, 0));
      draw(pp, cv::Scalar(0, 0, 220));
    }
    return img;
  }
};

}  // namespace

std::unique_ptr<Task> make_task(const std::string& name, const models::EcgModel& model) {
  const bool unet = dynamic_cast<const models::DigitizerUnetImpl*>(&model) != nullptr;
  if (name == "digitize" || (name == "auto" && unet)) return std::make_unique<DigitizeTask>();
  if (name == "classify" || name == "auto") return std::make_unique<ClassifyTask>();
  throw Error(str("trainer.task: expected auto | digitize | classify, got '", name, "'"));
}

data::Batch batch_to(const data::Batch& batch, const c10::Device& device) {
  if (device.is_cpu()) return batch;
  data::Batch out = batch;
  auto mv = [&](torch::Tensor& t) {
    if (t.defined()) t = t.to(device, /*non_blocking=*/true);
  };
  mv(out.input);
  mv(out.target);
  for (auto& kv : out.extras) mv(kv.second);
  for (auto& kv : out.lists) {
    for (auto& t : kv.second) mv(t);
  }
  return out;
}

}  // namespace ecg::train
