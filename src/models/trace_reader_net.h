#pragma once
// trace_reader: the learned trace reader's network. It reads one row strip of a canonical
// page (digitize/strip_cutter.h) and gives, per strip column, logits over the strip's rows
// for where this row's trace is, and a confidence logit that the row's trace is there.
//
//   input  x [batch, in_channels, H, W] f32, the strip channels (ink, grey), H and W
//          multiples of 2^(len(widths) - 1)
//   coordinates (coordinate_channel, default on): a channel of the strip row's place,
//          (r - (H - 1) / 2) / (H / 2), in [-1, 1], is appended to the input, so the
//          network knows where the strip's centre (the row's zero line) is even where its
//          receptive field does not reach the strip's edges: it tells this row's trace
//          from a neighbour's by place, not only by look
//   body   a plain U-Net (digitizer_unet.h, encoder "plain", `widths`) at full
//          resolution, with a 1x1 head of 2 maps: trace logits, and a confidence map whose
//          maximum over rows is the column's confidence logit
//   output [batch, H + 1, W]: rows 0 .. H-1 the trace logits over rows, row H the
//          confidence logit (losses/strip_trace_losses.h decodes it: strip_rows,
//          strip_confidence)

#include <torch/arg.h>

#include <vector>

#include "models/digitizer_unet.h"
#include "models/ecg_model.h"

namespace ecg::models {

struct TraceReaderNetOptions {
  TORCH_ARG(int64_t, in_channels) = 2;
  TORCH_ARG(bool, coordinate_channel) = true;
  TORCH_ARG(std::vector<int64_t>, widths) = std::vector<int64_t>{8, 16, 32, 48};
  TORCH_ARG(int64_t, example_height) = 128;  // the strip size of example_inputs (exports)
  TORCH_ARG(int64_t, example_width) = 1024;
};

class TraceReaderNetImpl : public EcgModel {
 public:
  explicit TraceReaderNetImpl(TraceReaderNetOptions options);
  torch::Tensor forward(const torch::Tensor& x) override;
  std::vector<torch::Tensor> example_inputs(int64_t batch) const override;
  int64_t stride() const { return unet_->stride(); }
  int64_t size_multiple() const override { return stride(); }
  TraceReaderNetOptions options;

 private:
  DigitizerUnet unet_{nullptr};
};
TORCH_MODULE(TraceReaderNet);

void register_trace_reader_net(ModelRegistry& registry);

}  // namespace ecg::models
