#include "data/beats.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "core/error.h"
#include "data/dsp.h"

namespace ecg::data {

torch::Tensor median_filter(const torch::Tensor& x, int64_t window) {
  ECG_CHECK(window >= 1 && window % 2 == 1, "median_filter: window must be odd and >= 1, got ", window);
  const int64_t n = x.size(-1), half = window / 2;
  const auto in = x.detach().to(torch::kCPU, torch::kFloat64).contiguous().view({-1, n});
  auto out = torch::empty_like(in);
  std::vector<double> buf(static_cast<size_t>(window));
  for (int64_t s = 0; s < in.size(0); ++s) {
    const double* a = in.data_ptr<double>() + s * n;
    double* b = out.data_ptr<double>() + s * n;
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t k = -half; k <= half; ++k) buf[k + half] = a[std::clamp<int64_t>(i + k, 0, n - 1)];
      std::nth_element(buf.begin(), buf.begin() + half, buf.end());
      b[i] = buf[half];
    }
  }
  return out.view(x.sizes()).to(x.scalar_type());
}

torch::Tensor remove_baseline_median(const torch::Tensor& x, double fs_hz) {
  ECG_CHECK(fs_hz > 0, "remove_baseline_median: fs_hz must be > 0");
  auto odd = [](double v) { return std::max<int64_t>(1, static_cast<int64_t>(std::lround(v)) | 1); };
  return x - median_filter(median_filter(x, odd(0.2 * fs_hz)), odd(0.6 * fs_hz));
}

std::vector<int64_t> detect_r_peaks(const torch::Tensor& lead, double fs_hz) {
  ECG_CHECK(lead.dim() == 1, "detect_r_peaks: expected one lead [T], got ", lead.sizes());
  ECG_CHECK(fs_hz >= 50, "detect_r_peaks: fs_hz must be >= 50, got ", fs_hz);
  const int64_t n = lead.size(0);
  if (n < static_cast<int64_t>(fs_hz)) return {};
  const auto band = bandpass(lead.to(torch::kFloat64), fs_hz, 5.0, 15.0, /*order=*/2).contiguous();
  const double* f = band.data_ptr<double>();
  // Derivative (central 5-point), square, moving-window integration of 150 ms.
  std::vector<double> sq(static_cast<size_t>(n), 0.0);
  for (int64_t i = 2; i + 2 < n; ++i) {
    const double d = (2 * f[i + 2] + f[i + 1] - f[i - 1] - 2 * f[i - 2]) / 8.0;
    sq[i] = d * d;
  }
  const int64_t w = std::max<int64_t>(1, static_cast<int64_t>(std::lround(0.15 * fs_hz)));
  std::vector<double> mwi(static_cast<size_t>(n), 0.0);
  double acc = 0;
  for (int64_t i = 0; i < n + w / 2; ++i) {
    if (i < n) acc += sq[i];
    if (i - w >= 0) acc -= sq[i - w];
    const int64_t c = i - w / 2;
    if (c >= 0 && c < n) mwi[c] = acc / static_cast<double>(w);
  }
  // Candidate peaks: local maxima of the integrated signal, at least 200 ms apart.
  const int64_t refractory = static_cast<int64_t>(0.2 * fs_hz);
  std::vector<int64_t> cand;
  for (int64_t i = 1; i + 1 < n; ++i) {
    if (mwi[i] > mwi[i - 1] && mwi[i] >= mwi[i + 1]) {
      if (!cand.empty() && i - cand.back() < refractory) {
        if (mwi[i] > mwi[cand.back()]) cand.back() = i;
      } else {
        cand.push_back(i);
      }
    }
  }
  // Learning phase: the first 2 s set the initial levels.
  const int64_t learn = std::min<int64_t>(n, static_cast<int64_t>(2 * fs_hz));
  double spk = *std::max_element(mwi.begin(), mwi.begin() + learn) * 0.25;
  double npk = 0;
  for (int64_t i = 0; i < learn; ++i) npk += mwi[i];
  npk = npk / static_cast<double>(learn) * 0.5;
  std::vector<int64_t> qrs;
  double rr_mean = 0;
  int64_t rr_count = 0;
  size_t last_qrs_cand = 0;
  for (size_t k = 0; k < cand.size(); ++k) {
    const int64_t i = cand[k];
    const double thr = npk + 0.25 * (spk - npk);
    if (mwi[i] > thr) {
      // Search back for a missed beat when the gap is long.
      if (!qrs.empty() && rr_count >= 2 && static_cast<double>(i - qrs.back()) > 1.66 * rr_mean) {
        int64_t best = -1;
        for (size_t m = last_qrs_cand + 1; m < k; ++m) {
          const int64_t j = cand[m];
          if (j - qrs.back() >= refractory && i - j >= refractory && mwi[j] > 0.5 * thr &&
              (best < 0 || mwi[j] > mwi[best])) {
            best = j;
          }
        }
        if (best >= 0) {
          qrs.push_back(best);
          spk = 0.25 * mwi[best] + 0.75 * spk;
        }
      }
      if (!qrs.empty()) {
        const double rr = static_cast<double>(i - qrs.back());
        rr_mean =
            rr_count == 0 ? rr : (rr_mean * std::min<int64_t>(rr_count, 7) + rr) / (std::min<int64_t>(rr_count, 7) + 1);
        ++rr_count;
      }
      qrs.push_back(i);
      last_qrs_cand = k;
      spk = 0.125 * mwi[i] + 0.875 * spk;
    } else {
      npk = 0.125 * mwi[i] + 0.875 * npk;
    }
  }
  // Place each detection on the largest |band-passed| sample within +-75 ms.
  const int64_t r = static_cast<int64_t>(0.075 * fs_hz);
  std::vector<int64_t> peaks;
  for (int64_t q : qrs) {
    int64_t best = q;
    for (int64_t j = std::max<int64_t>(0, q - r); j <= std::min(n - 1, q + r); ++j) {
      if (std::abs(f[j]) > std::abs(f[best])) best = j;
    }
    if (peaks.empty() || best - peaks.back() >= refractory / 2) peaks.push_back(best);
  }
  return peaks;
}

DetectionScore score_detections(const std::vector<int64_t>& detected, const std::vector<int64_t>& reference,
                                int64_t tolerance) {
  DetectionScore s;
  for (int64_t m : match_beats(reference, detected, tolerance)) ++(m >= 0 ? s.true_positives : s.false_negatives);
  s.false_positives = static_cast<int64_t>(detected.size()) - s.true_positives;
  const double tp = static_cast<double>(s.true_positives);
  s.sensitivity = reference.empty() ? 0 : tp / static_cast<double>(reference.size());
  s.ppv = detected.empty() ? 0 : tp / static_cast<double>(detected.size());
  s.f1 = (s.sensitivity + s.ppv) > 0 ? 2 * s.sensitivity * s.ppv / (s.sensitivity + s.ppv) : 0;
  return s;
}

std::vector<int64_t> match_beats(const std::vector<int64_t>& reference, const std::vector<int64_t>& test,
                                 int64_t tolerance) {
  ECG_CHECK(tolerance >= 0, "match_beats: tolerance must be >= 0, got ", tolerance);
  struct Pair {
    int64_t distance, ref, test;
  };
  std::vector<Pair> pairs;
  size_t first = 0;
  for (size_t r = 0; r < reference.size(); ++r) {
    while (first < test.size() && test[first] < reference[r] - tolerance) ++first;
    for (size_t t = first; t < test.size() && test[t] <= reference[r] + tolerance; ++t)
      pairs.push_back({std::llabs(test[t] - reference[r]), static_cast<int64_t>(r), static_cast<int64_t>(t)});
  }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) {
    return std::tie(a.distance, a.ref, a.test) < std::tie(b.distance, b.ref, b.test);
  });
  std::vector<int64_t> of_ref(reference.size(), -1);
  std::vector<bool> used(test.size(), false);
  for (const auto& p : pairs) {
    if (of_ref[static_cast<size_t>(p.ref)] >= 0 || used[static_cast<size_t>(p.test)]) continue;
    of_ref[static_cast<size_t>(p.ref)] = p.test;
    used[static_cast<size_t>(p.test)] = true;
  }
  return of_ref;
}

torch::Tensor beat_windows(const torch::Tensor& signal, const std::vector<int64_t>& centers, int64_t before,
                           int64_t after, std::vector<int64_t>* kept) {
  ECG_CHECK(signal.dim() == 2, "beat_windows: expected a signal [leads, T], got ", signal.sizes());
  ECG_CHECK(before >= 0 && after >= 1, "beat_windows: need before >= 0 and after >= 1");
  const int64_t n = signal.size(1);
  std::vector<torch::Tensor> out;
  if (kept != nullptr) kept->clear();
  for (size_t i = 0; i < centers.size(); ++i) {
    const int64_t c = centers[i];
    if (c - before < 0 || c + after > n) continue;
    out.push_back(signal.slice(1, c - before, c + after));
    if (kept != nullptr) kept->push_back(static_cast<int64_t>(i));
  }
  if (out.empty()) return torch::empty({0, signal.size(0), before + after}, signal.options());
  return torch::stack(out);
}

}  // namespace ecg::data
