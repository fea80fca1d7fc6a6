#pragma once
// digitizer_unet: an encoder-decoder (U-Net, Ronneberger et al. 2015) that turns an ECG
// page image into per-lead traces.
//
//   input  x [batch, in_channels, H, W], any H and W that are multiples of the encoder's
//          total stride (2^(len(widths)-1) for the plain encoder; 32 for resnet18,
//          resnet34 and mobilenet_v2), e.g. 512 x 2048 for a wide page crop.
//   encoder plain: len(widths) stages of two (3x3 conv -> BatchNorm -> ReLU) with a 2x2
//          max-pool between stages; or a resnet18 / resnet34 / mobilenet_v2 backbone
//          (backbones2d.h) whose stage outputs feed the skips.
//   decoder: per skip, bilinear 2x upsampling, concatenation with the skip, two
//          (3x3 conv -> BatchNorm -> ReLU); full input resolution at the end.
//
//   head "coordinate" (default): per lead and per x column a softmax over y of the
//          trace logits gives a sub-pixel y, E[y] = sum_h p(h) (h + 0.5) in input pixels;
//          a second map, averaged over x and soft-maxed over y, gives the lead's baseline
//          (0 mV) row. pixels_to_mv() turns them into mV with the grid scale:
//          forward -> [batch, leads, W] mV, one value per input column.
//   head "mask": per-lead trace-mask logits, forward -> [batch, leads, H, W] (train with
//          bce); head "both" computes both and forward returns the mV traces.
//   Which columns belong to which lead (the page layout) is the target's business: the
//   trainer masks the columns where a lead is not plotted (NaN targets, mask_nan).
//
// Initialisation: as in cnn1d.h (Kaiming-normal convolutions, unit BatchNorm); the head
// convolutions LibTorch's default.

#include <torch/arg.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

#include <string>
#include <vector>

#include "models/backbones2d.h"
#include "models/ecg_model.h"

namespace ecg::models {

/// mV = (baseline_px - y_px) / (px_per_mm * mm_per_mv): image y grows downwards, so a
/// trace above its baseline is positive. Differentiable in y_px and baseline_px.
/// y_px [batch, leads, W]; baseline_px [batch, leads]; px_per_mm a scalar or [batch]
/// tensor (vertical grid scale of each image); mm_per_mv the gain (10 by default).
torch::Tensor pixels_to_mv(const torch::Tensor& y_px, const torch::Tensor& baseline_px, const torch::Tensor& px_per_mm,
                           double mm_per_mv);

struct DigitizerUnetOptions {
  TORCH_ARG(int64_t, in_channels) = 3;
  TORCH_ARG(int64_t, leads) = 12;
  TORCH_ARG(std::string, encoder) = "plain";  // plain | resnet18 | resnet34 | mobilenet_v2
  TORCH_ARG(std::vector<int64_t>, widths) = std::vector<int64_t>{16, 32, 64, 128};  // plain encoder stages
  TORCH_ARG(int64_t, decoder_width) = 32;       // channels of every decoder stage (backbone encoders)
  TORCH_ARG(std::string, head) = "coordinate";  // coordinate | mask | both
  TORCH_ARG(double, px_per_mm) = 2.0;           // vertical grid scale of the input image (200 dpi / 4 = 1.97)
  TORCH_ARG(double, mm_per_mv) = 10.0;          // gain of the page
};

/// Everything the heads compute; tensors are undefined for a head that is off.
struct DigitizerOutputs {
  torch::Tensor y_px;         // [batch, leads, W] sub-pixel trace row per column
  torch::Tensor baseline_px;  // [batch, leads] 0 mV row
  torch::Tensor mv;           // [batch, leads, W]
  torch::Tensor mask_logits;  // [batch, leads, H, W]
};

class DigitizerUnetImpl : public EcgModel {
 public:
  explicit DigitizerUnetImpl(DigitizerUnetOptions options);
  torch::Tensor forward(const torch::Tensor& x) override;
  std::vector<torch::Tensor> example_inputs(int64_t batch) const override;
  /// All head outputs; `px_per_mm` (scalar or [batch]) overrides the configured scale.
  DigitizerOutputs outputs(const torch::Tensor& x, const torch::Tensor& px_per_mm = {});
  /// Decoder features at full resolution [batch, C, H, W].
  torch::Tensor features(const torch::Tensor& x);
  int64_t stride() const { return stride_; }
  int64_t size_multiple() const override { return stride_; }
  DigitizerUnetOptions options;

 private:
  std::vector<torch::nn::Sequential> down_, up_;
  ResNet2d resnet_{nullptr};
  MobileNetV2 mobilenet_{nullptr};
  torch::nn::Sequential final_{nullptr};  // backbone encoders: the stride-1 stage
  torch::nn::Conv2d trace_head_{nullptr}, baseline_head_{nullptr}, mask_head_{nullptr};
  int64_t stride_ = 1;
};
TORCH_MODULE(DigitizerUnet);

void register_digitizer_unet(ModelRegistry& registry);

}  // namespace ecg::models
