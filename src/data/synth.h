#pragma once
// Synthetic 12-lead ECG with rhythm and morphology labels and exact fiducials; needs no
// data. Each beat is a sum of Gaussian waves (P, Q, R, S, T; plus R' for RBBB) in a
// vectorcardiogram (X left, Y inferior, Z posterior, mV) projected to the 8 independent
// leads with the Dower matrix (Dower et al. 1980); III, aVR, aVL and aVF follow from
// I and II. Deterministic for a given seed.
//
// Fiducials are the model's own: a wave's onset / offset is its centre -+ 2.5 sigma;
// QRS onset / offset span Q, R, S (and R'); the T offset is that of the T wave.
//
//   SynthOptions o;  o.rhythm("afib").fs_hz(500).duration_s(10).seed(7);
//   SynthEcg e = synthesize(o);   // e.record.signal [12, 5000] mV, e.beats, e.labels
//   SynthEcg v = synthesize(synth_class_options("pvc", /*seed=*/3));

#include <torch/arg.h>

#include <cstdint>
#include <string>
#include <vector>

#include "data/record.h"

namespace ecg::data {

struct SynthOptions {
  TORCH_ARG(double, fs_hz) = 500.0;
  TORCH_ARG(double, duration_s) = 10.0;
  TORCH_ARG(int64_t, seed) = 0;
  TORCH_ARG(std::string, rhythm) = "sinus";  // sinus | afib | aflutter
  TORCH_ARG(double, hr_bpm) = 70.0;          // sinus rate; ventricular mean rate for afib
  TORCH_ARG(double, hrv) = 0.03;             // sinus beat-to-beat variation (fraction of RR)
  TORCH_ARG(double, flutter_rate_bpm) = 300.0;
  TORCH_ARG(int64_t, flutter_conduction) = 2;      // ventricular beat every N flutter waves
  TORCH_ARG(double, pac_probability) = 0.0;        // per sinus beat
  TORCH_ARG(double, pvc_probability) = 0.0;        // per sinus beat
  TORCH_ARG(double, pr_s) = 0.16;                  // P onset to QRS onset
  TORCH_ARG(std::string, bundle_branch) = "none";  // none | lbbb | rbbb
  TORCH_ARG(double, st_shift_mv) = 0.0;            // > 0 elevation (anterior), < 0 depression (lateral)
  TORCH_ARG(bool, t_inversion) = false;
  TORCH_ARG(double, amplitude_scale) = 1.0;  // < 0.5 gives low voltage
  TORCH_ARG(double, snr_db) = 1000.0;        // >= 1000: no noise
  TORCH_ARG(std::vector<std::string>, noise) = std::vector<std::string>{"baseline", "powerline", "emg", "motion"};
  TORCH_ARG(double, powerline_hz) = 50.0;
};

struct BeatFiducials {
  char type = 'N';                                   // N sinus, S supraventricular premature, V ventricular premature
  int64_t p_onset = -1, p_peak = -1, p_offset = -1;  // -1: no P wave
  int64_t qrs_onset = 0, r_peak = 0, qrs_offset = 0;
  int64_t t_peak = 0, t_offset = 0;
};

struct SynthEcg {
  Record record;  // 12 standard leads, mV
  std::vector<BeatFiducials> beats;
  std::vector<std::string> labels;  // e.g. {"sinus", "pvc"}
};

/// Throws ecg::Error for unknown names or values out of range.
SynthEcg synthesize(const SynthOptions& options);

/// The classes synth_class_options knows: sinus, sinus_brady, sinus_tachy, afib,
/// aflutter, pac, pvc, avb1, lbbb, rbbb, st_elevation, st_depression, t_inversion,
/// low_voltage.
const std::vector<std::string>& synth_classes();

/// Options for one class, its free parameters (rate, PR, amplitudes) drawn from
/// physiological ranges with `seed`.
SynthOptions synth_class_options(const std::string& cls, int64_t seed, double fs_hz = 500.0, double duration_s = 10.0);

}  // namespace ecg::data
