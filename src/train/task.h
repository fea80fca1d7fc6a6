#pragma once
// Task: how a batch meets the model, the loss and the metrics, and how validation
// predictions are drawn. The loop itself is task-agnostic.
//
// classify (the default for every model but digitizer_unet): the model's inputs come
//   from the batch by name (model->input_names(): "input" is Batch::input, any other
//   name an extra of that name, absent = undefined); pred = logits, compared with
//   Batch::target by the loss and the metrics. Plots: for a keypoint set predictor on
//   images (vit_detr; target [B, M, 3]) the image with true and predicted keypoints
//   (keypoint_plot.h); none otherwise.
// digitize: pred = mV traces [B, leads, W]; with digitizer_unet and a per-example
//   "px_per_mm" extra (synth_pages gives it) the model converts with each page's own
//   grid scale. Targets are NaN where a lead is not plotted (losses use mask_nan).
//   Plots: each lead's true (black) and predicted (red) trace.

#include <opencv2/core.hpp>

#include <memory>
#include <string>

#include "data/loader.h"
#include "models/ecg_model.h"

namespace ecg::train {

class Task {
 public:
  virtual ~Task() = default;
  virtual std::string name() const = 0;
  /// The model's prediction for a batch (already on the model's device).
  virtual torch::Tensor forward(models::EcgModel& model, const data::Batch& batch) const = 0;
  /// A picture of example `i` of a validation batch and its prediction (BGR, 8-bit);
  /// empty when the task has none.
  virtual cv::Mat plot(const data::Batch& batch, const torch::Tensor& pred, int64_t i) const = 0;
};

/// "auto" picks digitize for digitizer_unet and classify otherwise. Throws ecg::Error
/// for an unknown name.
std::unique_ptr<Task> make_task(const std::string& name, const models::EcgModel& model);

/// Moves every tensor of the batch to `device` (non-blocking where possible).
data::Batch batch_to(const data::Batch& batch, const c10::Device& device);

}  // namespace ecg::train
