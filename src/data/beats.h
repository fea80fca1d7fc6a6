#pragma once
// Beats: baseline removal by median filters, R-peak detection, detection scoring and
// beat windows.
//
// remove_baseline_median:  x - median_600ms(median_200ms(x)) (de Chazal et al. 2004);
//   window lengths round(0.2 fs) and round(0.6 fs) made odd; edges repeat the end
//   sample (scipy.ndimage.median_filter, mode "nearest").
// detect_r_peaks:  Pan & Tompkins 1985: 5-15 Hz band-pass, derivative, square, 150 ms
//   moving integration; adaptive signal / noise levels with a 200 ms refractory period
//   and search-back at half threshold after 1.66 x the mean RR; each detection is then
//   placed on the largest |band-passed| sample within +-75 ms.
// score_detections:  detections matched one-to-one to reference beats within a
//   tolerance (match_beats) (150 ms is the usual for QRS detectors); sensitivity, PPV and F1.

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace ecg::data {

torch::Tensor median_filter(const torch::Tensor& x, int64_t window);  // [..., T], odd window
torch::Tensor remove_baseline_median(const torch::Tensor& x, double fs_hz);

/// Sample indices of R peaks in one lead [T] (mV) at fs_hz, increasing.
std::vector<int64_t> detect_r_peaks(const torch::Tensor& lead, double fs_hz);

struct DetectionScore {
  int64_t true_positives = 0, false_positives = 0, false_negatives = 0;
  double sensitivity = 0, ppv = 0, f1 = 0;
};
DetectionScore score_detections(const std::vector<int64_t>& detected, const std::vector<int64_t>& reference,
                                int64_t tolerance_samples);

/// One-to-one matching of reference and test beat times (samples, each increasing):
/// pairs within the tolerance are taken closest first (ties: the earlier reference, then
/// the earlier test beat). Returns, per reference beat, the index of its test beat or -1.
std::vector<int64_t> match_beats(const std::vector<int64_t>& reference, const std::vector<int64_t>& test,
                                 int64_t tolerance_samples);

/// Windows [beats, leads, before + after] around each center of signal [leads, T]
/// (samples center - before .. center + after - 1). Beats too close to an edge are
/// skipped; `kept` receives the index of each beat kept.
torch::Tensor beat_windows(const torch::Tensor& signal, const std::vector<int64_t>& centers, int64_t before,
                           int64_t after, std::vector<int64_t>* kept = nullptr);

}  // namespace ecg::data
