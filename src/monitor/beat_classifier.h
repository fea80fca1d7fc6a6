#pragma once
// BeatClassifier: a beat classifier's model file (checkpoint, TorchScript or ONNX) over
// beat windows, in batches. The model must carry its beat window (BeatWindowSpec, which
// training writes from its data) and softmax outputs; anything else is refused with the
// reason, nothing is guessed from names.
//
//   auto predictor = exporting::open_predictor("best.pt", regs);
//   BeatClassifier c(*predictor, "best.pt");
//   std::vector<BeatLabel> labels = c.classify(candidates);

#include <string>
#include <vector>

#include "data/beat_window.h"
#include "export/predictor.h"
#include "monitor/beat_labels.h"
#include "monitor/beat_monitor.h"

namespace ecg::monitor {

class BeatClassifier {
 public:
  /// Throws ecg::Error naming `source` when the model is not a beat classifier.
  BeatClassifier(exporting::Predictor& predictor, const std::string& source);
  const data::BeatWindowSpec& spec() const { return spec_; }
  const std::vector<std::string>& class_names() const { return classes_; }
  std::vector<BeatLabel> classify(const std::vector<BeatCandidate>& beats, int64_t batch = 512) const;

 private:
  exporting::Predictor& predictor_;
  data::BeatWindowSpec spec_;
  std::vector<std::string> classes_;
};

}  // namespace ecg::monitor
