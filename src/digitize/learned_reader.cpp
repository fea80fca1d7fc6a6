#include "digitize/learned_reader.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "digitize/row_marks.h"
#include "losses/strip_trace_losses.h"

namespace ecg::digitize {
namespace {

// Fallback points further apart than this (a gap the fallback left) are not bridged here.
constexpr double kFallbackGapPx = 3.0;

// t's y at x_px, linear between the two read points (confidence > 0) around it when they
// are at most max_gap_px apart, with the smaller confidence; false when there are none.
bool read_y_at(const RowTrace& t, double x_px, double max_gap_px, double* y_px, float* confidence) {
  const auto it = std::lower_bound(t.x_px.begin(), t.x_px.end(), x_px);
  if (it == t.x_px.end()) return false;
  const auto j = static_cast<size_t>(it - t.x_px.begin());
  if (*it == x_px && t.confidence[j] > 0) {
    *y_px = t.y_px[j];
    *confidence = t.confidence[j];
    return true;
  }
  if (j == 0 || t.confidence[j] <= 0 || t.confidence[j - 1] <= 0 || t.x_px[j] - t.x_px[j - 1] > max_gap_px)
    return false;
  const double u = (x_px - t.x_px[j - 1]) / (t.x_px[j] - t.x_px[j - 1]);
  *y_px = t.y_px[j - 1] + u * (t.y_px[j] - t.y_px[j - 1]);
  *confidence = std::min(t.confidence[j - 1], t.confidence[j]);
  return true;
}

}  // namespace

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
  const std::vector<RowTrace> fallback = options_.fallback ? options_.fallback->read(page) : std::vector<RowTrace>();
  for (size_t k = 0; k < strips.size(); ++k) {
    const Strip& s = strips[k];
    const float* r = rows[static_cast<int64_t>(k)].data_ptr<float>();
    const float* c = conf[static_cast<int64_t>(k)].data_ptr<float>();
    RowTrace& t = out[k];
    t.line_width_px = 0;  // not measured: the network reads the centre line directly
    const RowTrace* other =
        static_cast<size_t>(s.row) < fallback.size() ? &fallback[static_cast<size_t>(s.row)] : nullptr;
    for (int64_t i = 0; i < w; ++i) {
      const double x_px = s.x_canonical(static_cast<double>(i));
      if (near_row_marks(page.layout, static_cast<size_t>(s.row), x_px, options_.marks_margin_px,
                         options_.marks_margin_px))
        continue;
      const double y = s.y_canonical(static_cast<double>(r[i]));
      const bool sure = c[i] >= options_.min_confidence;
      // The fallback is looked up only where it can be taken.
      double y_other = 0;
      float c_other = 0;
      const bool has_other = other != nullptr && (!sure || options_.fallback_beyond_mm > 0) &&
                             read_y_at(*other, x_px, kFallbackGapPx, &y_other, &c_other);
      const bool own = sure && !(has_other && std::abs(y - y_other) > options_.fallback_beyond_mm * s.px_per_mm);
      if (own) {
        t.x_px.push_back(x_px);
        t.y_px.push_back(y);
        t.confidence.push_back(c[i]);
      } else if (has_other) {
        t.x_px.push_back(x_px);
        t.y_px.push_back(y_other);
        t.confidence.push_back(c_other);
      }
    }
  }
  return out;
}

}  // namespace ecg::digitize
