#pragma once
// Signal processing for ECG, matching SciPy (golden tests in tests/data/dsp_test.cpp,
// values from tests/golden/dsp_golden.py).
//
//   butterworth     scipy.signal.butter(order, Wn, btype, output="sos", fs=fs)
//   sosfiltfilt     scipy.signal.sosfiltfilt (zero phase; odd extension of 3 * ntaps)
//   notch           scipy.signal.iirnotch(f0, Q, fs) applied forward-backward
//   resample_poly   scipy.signal.resample_poly(x, up, down) (Kaiser beta 5 FIR)
//
// Signals are tensors [..., T] (any float dtype, CPU); filtering runs in float64 along
// the last dimension and returns the input's dtype.
//
//   auto y = bandpass(x, /*fs_hz=*/500, /*low_hz=*/0.5, /*high_hz=*/40);
//   auto r = resample(x, /*from_hz=*/360, /*to_hz=*/500);

#include <torch/types.h>

#include <array>
#include <string>
#include <vector>

namespace ecg::data {

/// Second-order sections, each {b0, b1, b2, a0, a1, a2} with a0 = 1 (SciPy's layout).
using Sos = std::vector<std::array<double, 6>>;

/// Digital Butterworth filter. type: "lowpass" (cutoff high_hz), "highpass" (cutoff
/// low_hz) or "bandpass" (low_hz..high_hz; 2 * order poles). Throws ecg::Error for
/// cut-offs outside (0, fs/2) or order < 1.
Sos butterworth(int64_t order, const std::string& type, double low_hz, double high_hz, double fs_hz);

/// Forward-backward filtering with SciPy's initial conditions and odd padding.
/// Throws ecg::Error when the signal is not longer than the padding.
torch::Tensor sosfiltfilt(const Sos& sos, const torch::Tensor& x);

/// Zero-phase Butterworth filters (order 4 by default; bandpass has 2 * order poles).
torch::Tensor bandpass(const torch::Tensor& x, double fs_hz, double low_hz, double high_hz, int64_t order = 4);
torch::Tensor highpass(const torch::Tensor& x, double fs_hz, double cutoff_hz, int64_t order = 4);
torch::Tensor lowpass(const torch::Tensor& x, double fs_hz, double cutoff_hz, int64_t order = 4);

/// The notch biquad of scipy.signal.iirnotch as one section.
Sos notch_section(double f0_hz, double quality, double fs_hz);
/// Removes powerline interference at f0_hz (50 or 60 Hz), zero phase. Q = 30.
torch::Tensor notch(const torch::Tensor& x, double fs_hz, double f0_hz = 50.0, double quality = 30.0);

/// Baseline-wander removal by a zero-phase high-pass (order 2 at cutoff_hz).
torch::Tensor remove_baseline_highpass(const torch::Tensor& x, double fs_hz, double cutoff_hz = 0.5);

/// The FIR of resample_poly (Kaiser beta 5, 20 * max(up, down) + 1 taps, padded as SciPy
/// pads it), shared with the streaming resampler (stream_resampler.h) so that both give
/// the same samples.
struct PolyphaseFilter {
  int64_t up = 1, down = 1;  // reduced by their gcd
  std::vector<double> h;
  int64_t pre_remove = 0;
  /// Output sample o of a series of n inputs; `in` holds inputs first .. n - 1 (or at least
  /// first_input(o) .. min(last_input(o), n - 1)); inputs at and after n count as zero.
  double output(int64_t o, const double* in, int64_t first, int64_t n) const;
  int64_t output_length(int64_t n_in) const;  // ceil(n_in * up / down)
  int64_t first_input(int64_t o) const;       // the earliest input sample output o reads
  int64_t last_input(int64_t o) const;        // the latest
};
PolyphaseFilter polyphase_filter(int64_t up, int64_t down);

/// Polyphase resampling by up / down (reduced by their gcd), as SciPy's resample_poly.
/// Output length ceil(T * up / down).
torch::Tensor resample_poly(const torch::Tensor& x, int64_t up, int64_t down);
/// resample_poly between integer rates (e.g. 360 -> 500, 500 -> 100). Throws
/// ecg::Error for non-integer or non-positive rates.
torch::Tensor resample(const torch::Tensor& x, double from_hz, double to_hz);

}  // namespace ecg::data
