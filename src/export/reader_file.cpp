#include "export/reader_file.h"

#include <algorithm>
#include <mutex>

#include <torch/torch.h>

#include "core/error.h"
#include "digitize/learned_reader.h"
#include "export/predictor.h"

namespace ecg::exporting {
namespace {

// Columns either side of a window that are read but not kept: the network's view of a
// window's edge is not its view of the page.
constexpr int64_t kWindowOverlap = 64;

// An export runs at the size it was traced at ([1, C, h, w]): each strip is read in
// windows of w columns, kWindowOverlap apart at either side, padded with paper past the
// strip's end, and the windows' middles are put together.
torch::Tensor run_in_windows(Predictor& p, const torch::Tensor& x, int64_t h, int64_t w) {
  ECG_CHECK(x.size(2) == h, "learned reader: the export takes strips of ", h, " rows, the cutter gave ", x.size(2));
  ECG_CHECK(w > 2 * kWindowOverlap, "learned reader: the export's ", w, " columns are too few to read in windows");
  const int64_t n = x.size(3), keep = w - 2 * kWindowOverlap;
  auto out = torch::empty({x.size(0), h + 1, n});
  for (int64_t r = 0; r < x.size(0); ++r) {
    for (int64_t start = 0; start < n; start += keep) {
      const int64_t from = std::max<int64_t>(0, start - kWindowOverlap);
      const int64_t len = std::min(w, n - from);
      auto window = x.narrow(0, r, 1).narrow(3, from, len);
      if (len < w) window = torch::constant_pad_nd(window, {0, w - len});
      const auto y = p.run({window.contiguous()}).to(torch::kFloat);  // [1, h + 1, w]
      const int64_t take = std::min(keep, n - start);
      out.narrow(0, r, 1).narrow(2, start, take).copy_(y.narrow(2, start - from, take));
    }
  }
  return out;
}

}  // namespace

std::shared_ptr<const digitize::TraceReader> open_trace_reader(const std::filesystem::path& path,
                                                               const train::Registries& regs,
                                                               std::shared_ptr<const digitize::TraceReader> fallback,
                                                               double fallback_beyond_mm) {
  ECG_CHECK(std::filesystem::is_regular_file(path), path.string(), ": no such reader file");
  std::shared_ptr<Predictor> predictor = open_predictor(path, regs);
  const ModelIo& io = predictor->io();
  ECG_CHECK(io.strip.has_value(), path.string(), ": the model is '", io.model,
            "', not a trace_reader trained on trace_strips (e.g. configs/digitize_reader.yaml)");
  digitize::LearnedReaderOptions o;
  o.strip = *io.strip;
  o.stride = io.size_multiple;
  o.name = "learned (" + path.filename().string() + ")";
  if (fallback) o.name += " + " + fallback->name();
  o.fallback = std::move(fallback);
  o.fallback_beyond_mm = fallback_beyond_mm;
  auto lock = std::make_shared<std::mutex>();  // one page at a time through the model
  const bool fixed = predictor->kind() != "checkpoint";
  const auto& shape = io.input_shapes.at(0);
  ECG_CHECK(!fixed || shape.size() == 3, path.string(), ": a trace reader's input is [channels, rows, columns]");
  const int64_t h = fixed ? shape[1] : 0, w = fixed ? shape[2] : 0;
  return std::make_shared<digitize::LearnedReader>(
      [predictor, lock, fixed, h, w](const torch::Tensor& x) {
        std::lock_guard<std::mutex> guard(*lock);
        return fixed ? run_in_windows(*predictor, x, h, w) : predictor->run({x});
      },
      o);
}

}  // namespace ecg::exporting
