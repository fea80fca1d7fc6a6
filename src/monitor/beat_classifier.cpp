#include "monitor/beat_classifier.h"

#include <torch/torch.h>

#include <algorithm>

#include "core/error.h"

namespace ecg::monitor {

BeatClassifier::BeatClassifier(exporting::Predictor& predictor, const std::string& source) : predictor_(predictor) {
  const auto& io = predictor.io();
  ECG_CHECK(io.beat_window.has_value(), source,
            ": not a beat classifier (the model records no beat window; train it on beat data such as mitdb_beats)");
  spec_ = *io.beat_window;
  ECG_CHECK(io.output_activation == "softmax", source, ": a beat classifier needs softmax outputs, this one has '",
            io.output_activation, "'");
  ECG_CHECK(!io.class_names.empty(), source, ": the model names no classes");
  ECG_CHECK(io.input_shapes.size() == 1 && io.input_shapes[0] == std::vector<int64_t>({1, spec_.length()}), source,
            ": the model's input is not one lead of ", spec_.length(), " samples (its beat window)");
  classes_ = io.class_names;
}

std::vector<BeatLabel> BeatClassifier::classify(const std::vector<BeatCandidate>& beats, int64_t batch) const {
  std::vector<BeatLabel> out;
  out.reserve(beats.size());
  const int64_t len = spec_.length();
  if (!predictor_.dynamic_batch()) batch = 1;
  for (size_t start = 0; start < beats.size(); start += static_cast<size_t>(batch)) {
    const int64_t n = std::min<int64_t>(batch, static_cast<int64_t>(beats.size() - start));
    auto x = torch::empty({n, 1, len});
    for (int64_t i = 0; i < n; ++i)
      std::copy(beats[start + i].window.begin(), beats[start + i].window.end(), x.data_ptr<float>() + i * len);
    const auto p = torch::softmax(predictor_.run({x}).to(torch::kFloat32), 1).contiguous();
    ECG_CHECK(p.dim() == 2 && p.size(1) == static_cast<int64_t>(classes_.size()), "beat classifier: output ", p.sizes(),
              " for ", classes_.size(), " classes");
    const float* pp = p.data_ptr<float>();
    for (int64_t i = 0; i < n; ++i) {
      BeatLabel b;
      b.sample = beats[start + i].sample;
      b.time_s = beats[start + i].time_s;
      b.probabilities.assign(pp + i * p.size(1), pp + (i + 1) * p.size(1));
      const auto best = std::max_element(b.probabilities.begin(), b.probabilities.end()) - b.probabilities.begin();
      b.label = classes_[static_cast<size_t>(best)];
      out.push_back(std::move(b));
    }
  }
  return out;
}

}  // namespace ecg::monitor
