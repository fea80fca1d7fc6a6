#pragma once
// BeatWindowSpec: what a beat classifier takes, written by training into its checkpoint
// and read by `ecgtorch detect`, so that both cut beats the same way (nothing is guessed
// from dataset or model names):
//   fs_hz            the rate the windows are cut at (records are resampled to it);
//   before / after   samples before the R peak and from it on (window = before + after);
//   lead             the lead it was trained on (a name from the record header, e.g. MLII);
//   centers          "detected": centred where StreamingQrsDetector puts the R peak (as
//                    detect does), or "annotated": on the reference annotations;
//   normalization    "median": each window minus its own median (removes the baseline
//                    offset, keeps mV).
// beat_window_values() is the one cut both use.
//
//   BeatWindowSpec s; s.fs_hz = 360; s.before = 90; s.after = 162;
//   beat_window_values(signal_ptr + r - s.before, s, out.data());

#include <torch/types.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ecg::data {

struct BeatWindowSpec {
  double fs_hz = 360;
  int64_t before = 90, after = 162;
  std::string lead;
  std::string centers = "detected";
  std::string normalization = "median";
  int64_t length() const { return before + after; }
  nlohmann::json to_json() const;
  /// Throws ecg::Error naming `source` for a missing or out-of-range field.
  static BeatWindowSpec from_json(const nlohmann::json& j, const std::string& source);
};

/// Writes the window of spec.length() samples starting at `first` (the sample `before`
/// ahead of the R peak), normalised, into `out`.
void beat_window_values(const float* first, const BeatWindowSpec& spec, float* out);

/// Windows [beats, 1, length] around `centers` of one lead [T]; beats too close to an edge
/// are skipped and `kept` receives the index of each beat kept.
torch::Tensor beat_window_batch(const torch::Tensor& lead, const std::vector<int64_t>& centers,
                                const BeatWindowSpec& spec, std::vector<int64_t>* kept);

}  // namespace ecg::data
