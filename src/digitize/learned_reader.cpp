#include "digitize/learned_reader.h"

#include <torch/torch.h>

#include "core/error.h"
#include "digitize/row_marks.h"
#include "losses/strip_trace_losses.h"

namespace ecg::digitize {

LearnedReader::LearnedReader(StripNet net, LearnedReaderOptions o) : net_(std::move(net)), options_(std::move(o)) {
  ECG_CHECK(static_cast<bool>(net_), "learned reader: no network");
  ECG_CHECK(options_.stride >= 1, "learned reader: stride must be >= 1, got ", options_.stride);
  ECG_CHECK(options_.strip.height_px % options_.stride == 0, "learned reader: strip height ", options_.strip.height_px,
            " is not a multiple of the network's stride ", options_.stride);
}

std::vector<RowTrace> LearnedReader::read(const PageView& page) const {
  const auto strips = cut_strips(page.image, page.ink, page.layout, options_.strip);
  std::vector<RowTrace> out(strips.size());
  if (strips.empty()) return out;
  std::vector<torch::Tensor> inputs;
  for (const auto& s : strips) inputs.push_back(s.image);
  auto x = torch::stack(inputs);  // [R, C, H, W]
  const int64_t w = x.size(3);
  const int64_t padded = (w + options_.stride - 1) / options_.stride * options_.stride;
  if (padded > w) x = torch::constant_pad_nd(x, {0, padded - w});
  torch::Tensor pred;
  {
    torch::NoGradGuard no_grad;
    pred = net_(x);
  }
  ECG_CHECK(pred.dim() == 3 && pred.size(0) == x.size(0) && pred.size(1) == x.size(2) + 1 && pred.size(2) == padded,
            "learned reader: the network gave ", pred.sizes(), " for strips ", x.sizes(), " (expected [", x.size(0),
            ", ", x.size(2) + 1, ", ", padded, "])");
  pred = pred.narrow(2, 0, w).to(torch::kFloat).contiguous();
  const auto rows = losses::strip_path_rows(pred, options_.top_k, options_.jump_nats_per_row).contiguous();
  const auto conf = losses::strip_confidence(pred).contiguous();
  for (size_t k = 0; k < strips.size(); ++k) {
    const Strip& s = strips[k];
    const float* r = rows[static_cast<int64_t>(k)].data_ptr<float>();
    const float* c = conf[static_cast<int64_t>(k)].data_ptr<float>();
    RowTrace& t = out[k];
    t.line_width_px = 0;  // not measured: the network reads the centre line directly
    for (int64_t i = 0; i < w; ++i) {
      if (c[i] < options_.min_confidence) continue;
      const double x_px = s.x_canonical(static_cast<double>(i));
      if (near_row_marks(page.layout, static_cast<size_t>(s.row), x_px, options_.marks_margin_px,
                         options_.marks_margin_px))
        continue;
      t.x_px.push_back(x_px);
      t.y_px.push_back(s.y_canonical(static_cast<double>(r[i])));
      t.confidence.push_back(c[i]);
    }
  }
  return out;
}

}  // namespace ecg::digitize
