#pragma once
// The learned trace reader: a network over row strips (models/trace_reader_net.h) in the
// TraceReader slot, so it shares geometry, ink, layout and signals with the classical one.
//
// Each row of the found layout is cut as in training (strip_cutter.h, with the strip
// options the model was trained on), all rows of a page go through the network at once
// (columns padded with paper to a multiple of the network's stride), and each strip is
// read along its most probable continuous path, refined by top-k soft-argmax
// (losses/strip_trace_losses.h: strip_path_rows). Columns whose confidence is
// under min_confidence take the fallback reader's point there when one is given (a
// hybrid: the classical reader where the network is unsure; with fallback_beyond_mm also
// where the two disagree by more than that) and are left out otherwise;
// columns next to the pulse and the separator bars (row_marks.h) are left out, so
// page_signals.h interpolates over them.
//
//   LearnedReader r(net, LearnedReaderOptions{strip, 8});
//   auto traces = r.read(PageView{canonical, ink, layout});

#include <functional>
#include <memory>
#include <string>

#include <torch/types.h>

#include "digitize/strip_cutter.h"
#include "digitize/trace_reader.h"

namespace ecg::digitize {

/// [batch, C, H, W] strips -> [batch, H + 1, W] (trace logits over rows, confidence logit).
using StripNet = std::function<torch::Tensor(const torch::Tensor&)>;

struct LearnedReaderOptions {
  StripOptions strip;  // as in training
  int64_t stride = 8;  // the network's: W is padded to a multiple of it
  int64_t top_k = 4;   // rows either side of the path's row
  // The cost of a one-row jump between columns in the path decode (strip_path_rows), nats.
  // Set a priori, not fitted to the dev pages: a QRS edge of 30 rows costs 6 nats, leaving
  // for a neighbour's trace 51 rows away and back 20.
  double jump_nats_per_row = 0.2;
  double min_confidence = 0.5;
  // Read where the network's confidence is under min_confidence (null: nothing there).
  std::shared_ptr<const TraceReader> fallback;
  // > 0: the fallback's point is also taken where the network's is further than this from
  // it, in mm of paper (an excursion of the network's path to a label or a neighbour).
  double fallback_beyond_mm = 0;
  // Columns this close to the pulse's falling stroke or a separator bar are left out
  // (row_marks.h), as the classical reader leaves out a line width + 2 px of a 2 px trace.
  double marks_margin_px = 4.0;
  std::string name = "learned";
};

class LearnedReader : public TraceReader {
 public:
  /// Throws ecg::Error for an empty net, stride < 1 or a strip height that is not a
  /// multiple of the stride.
  LearnedReader(StripNet net, LearnedReaderOptions options);
  std::string name() const override { return options_.name; }
  std::vector<RowTrace> read(const PageView& page) const override;

 private:
  StripNet net_;
  LearnedReaderOptions options_;
};

}  // namespace ecg::digitize
