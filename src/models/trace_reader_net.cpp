#include "models/trace_reader_net.h"

#include <torch/torch.h>

#include "core/error.h"
#include "core/options_binder.h"

namespace ecg::models {

TraceReaderNetImpl::TraceReaderNetImpl(TraceReaderNetOptions o) : options(std::move(o)) {
  ECG_CHECK(options.in_channels() >= 1, "trace_reader: in_channels must be >= 1, got ", options.in_channels());
  ECG_CHECK(options.widths().size() >= 2, "trace_reader: widths needs at least 2 stages, got ",
            options.widths().size());
  unet_ = register_module("unet",
                          DigitizerUnet(DigitizerUnetOptions()
                                            .in_channels(options.in_channels() + (options.coordinate_channel() ? 1 : 0))
                                            .leads(2)
                                            .encoder("plain")
                                            .widths(options.widths())
                                            .head("mask")));
  ECG_CHECK(options.example_height() % stride() == 0 && options.example_width() % stride() == 0,
            "trace_reader: example_height and example_width must be multiples of ", stride());
}

torch::Tensor TraceReaderNetImpl::forward(const torch::Tensor& x) {
  ECG_CHECK(x.dim() == 4 && x.size(1) == options.in_channels(), "trace_reader: expected [batch, ",
            options.in_channels(), ", H, W], got ", x.sizes());
  auto input = x;
  if (options.coordinate_channel()) {
    // From ops on x alone (no sizes as numbers), so a traced export takes any strip size:
    // row r of H gives (2 r + 1 - H) / H = (r - (H - 1) / 2) / (H / 2).
    const auto ones = torch::ones_like(x.narrow(1, 0, 1));  // [B, 1, H, W]
    const auto h = ones.sum(2, /*keepdim=*/true);
    input = torch::cat({x, (2 * ones.cumsum(2) - 1 - h) / h}, 1);
  }
  const auto maps = unet_->outputs(input).mask_logits;                  // [B, 2, H, W]
  const auto confidence = std::get<0>(maps.select(1, 1).max(1, true));  // [B, 1, W]
  return torch::cat({maps.select(1, 0), confidence}, 1);                // [B, H + 1, W]
}

std::vector<torch::Tensor> TraceReaderNetImpl::example_inputs(int64_t batch) const {
  return {torch::randn({batch, options.in_channels(), options.example_height(), options.example_width()})};
}

void register_trace_reader_net(ModelRegistry& registry) {
  config::OptionsBinder<TraceReaderNetOptions> b("model 'trace_reader'");
  ECG_BIND(b, in_channels, "strip channels (ink, grey)").min_value = 1;
  ECG_BIND(b, coordinate_channel, "append the strip row's place in [-1, 1] as a channel");
  ECG_BIND(b, widths, "U-Net channels per stage (depth = count)").min_value = 1;
  ECG_BIND(b, example_height, "strip rows of the export's example input").min_value = 8;
  ECG_BIND(b, example_width, "strip columns of the export's example input").min_value = 8;
  registry.add("trace_reader", "row-strip trace reader: per-column logits over rows and a confidence", b,
               [](const TraceReaderNetOptions& o) { return TraceReaderNet(o).ptr(); });
}

}  // namespace ecg::models
