#include "data/synth.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "data/beats.h"
#include "test_util.h"

namespace ecg::data {
namespace {

double ms(int64_t samples, double fs) {
  return 1000.0 * static_cast<double>(samples) / fs;
}

TEST(Synth, DeterministicShapesAndLeads) {
  const auto a = synthesize(SynthOptions().seed(3).snr_db(15));
  const auto b = synthesize(SynthOptions().seed(3).snr_db(15));
  const auto c = synthesize(SynthOptions().seed(4).snr_db(15));
  EXPECT_TRUE(torch::equal(a.record.signal, b.record.signal));
  EXPECT_FALSE(torch::equal(a.record.signal, c.record.signal));
  EXPECT_EQ(a.record.signal.sizes(), (std::vector<int64_t>{12, 5000}));
  EXPECT_EQ(a.record.leads, standard_leads());
  const auto s = synthesize(SynthOptions().fs_hz(250).duration_s(4));
  EXPECT_EQ(s.record.signal.size(1), 1000);
  // Einthoven and Goldberger: III = II - I, aVR = -(I + II) / 2.
  const auto& x = s.record.signal;
  EXPECT_LT((x[2] - (x[1] - x[0])).abs().max().item<float>(), 1e-5f);
  EXPECT_LT((x[3] + (x[0] + x[1]) / 2).abs().max().item<float>(), 1e-5f);
}

TEST(Synth, FiducialsAreOrderedAndOnTheRPeaks) {
  for (const auto& cls : synth_classes()) {
    const auto e = synthesize(synth_class_options(cls, 1));
    ASSERT_GE(e.beats.size(), 5u) << cls;
    for (const auto& b : e.beats) {
      if (b.p_onset >= 0) {
        EXPECT_LT(b.p_onset, b.p_peak) << cls;
        EXPECT_LT(b.p_peak, b.p_offset) << cls;
        EXPECT_LE(b.p_offset, b.qrs_onset) << cls;
      }
      EXPECT_LT(b.qrs_onset, b.r_peak) << cls;
      EXPECT_LT(b.r_peak, b.qrs_offset) << cls;
      EXPECT_LT(b.qrs_offset, b.t_peak) << cls;
      EXPECT_LT(b.t_peak, b.t_offset) << cls;
    }
    // The R-peak detector finds the generated beats (noise-free, 150 ms tolerance).
    std::vector<int64_t> truth;
    for (const auto& b : e.beats) truth.push_back(b.r_peak);
    const auto s = score_detections(detect_r_peaks(e.record.signal[1], 500), truth, 75);
    EXPECT_GE(s.f1, 0.95) << cls;
  }
}

// Intervals of conducted sinus beats per class, over several seeds, in physiological ranges.
TEST(Synth, ClassIntervalsInPhysiologicalRanges) {
  for (const auto& cls : synth_classes()) {
    for (int seed = 0; seed < 5; ++seed) {
      const auto e = synthesize(synth_class_options(cls, seed));
      SCOPED_TRACE(cls + " seed " + std::to_string(seed));
      const auto& beats = e.beats;
      const double hr = 60.0 * (beats.size() - 1) / ((beats.back().r_peak - beats.front().r_peak) / 500.0);
      if (cls == "sinus_brady") {
        EXPECT_LT(hr, 60);
      }
      if (cls == "sinus_tachy") {
        EXPECT_GT(hr, 100);
      }
      if (cls == "sinus" || cls == "avb1" || cls == "lbbb" || cls == "rbbb") {
        EXPECT_GE(hr, 55);
        EXPECT_LE(hr, 100);
      }
      std::vector<double> rr;
      for (size_t i = 1; i < beats.size(); ++i) {
        rr.push_back(ms(beats[i].r_peak - beats[i - 1].r_peak, 500));
        const auto& b = beats[i];
        if (b.type != 'N' || beats[i - 1].type != 'N') continue;
        const double qrs = ms(b.qrs_offset - b.qrs_onset, 500);
        const double qtc = ms(b.t_offset - b.qrs_onset, 500) / std::sqrt(rr.back() / 1000.0);
        if (cls == "lbbb" || cls == "rbbb") {
          EXPECT_GE(qrs, 120);
        } else {
          EXPECT_GE(qrs, 80);
          EXPECT_LE(qrs, 110);
        }
        EXPECT_GE(qtc, 350);
        EXPECT_LE(qtc, 460);
        if (cls == "afib" || cls == "aflutter") {
          EXPECT_EQ(b.p_onset, -1);
        } else {
          const double pr = ms(b.qrs_onset - b.p_onset, 500);
          if (cls == "avb1") {
            EXPECT_GT(pr, 200);
          } else {
            EXPECT_GE(pr, 120);
            EXPECT_LE(pr, 200);
          }
        }
      }
      if (cls == "afib") {  // irregularly irregular: RR coefficient of variation above 10 %
        double mean = 0, var = 0;
        for (double v : rr) mean += v / rr.size();
        for (double v : rr) var += (v - mean) * (v - mean) / rr.size();
        EXPECT_GT(std::sqrt(var) / mean, 0.1);
      }
    }
  }
}

TEST(Synth, EctopyTimingAndMorphologyLabels) {
  const auto pvc = synthesize(synth_class_options("pvc", 2));
  bool found = false;
  for (size_t i = 1; i + 1 < pvc.beats.size(); ++i) {
    if (pvc.beats[i].type != 'V') continue;
    found = true;
    const auto& before = pvc.beats[i - 1];
    const auto& after = pvc.beats[i + 1];
    EXPECT_EQ(pvc.beats[i].p_onset, -1);
    EXPECT_GE(ms(pvc.beats[i].qrs_offset - pvc.beats[i].qrs_onset, 500), 120);
    // Compensatory pause: the beats around the PVC are two sinus cycles apart (up to HRV).
    const double cycle = 60000.0 / synth_class_options("pvc", 2).hr_bpm();
    EXPECT_NEAR(ms(after.r_peak - before.r_peak, 500), 2 * cycle, 0.15 * cycle);
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(pvc.labels, (std::vector<std::string>{"sinus", "pvc"}));
  const auto pac = synthesize(synth_class_options("pac", 2));
  EXPECT_EQ(pac.labels, (std::vector<std::string>{"sinus", "pac"}));

  // ST elevation raises V2 at J + 60 ms; depression lowers V5; T inversion flips V5's T.
  auto at = [](const SynthEcg& e, int lead, int64_t s) { return e.record.signal[lead][s].item<float>(); };
  const auto ste = synthesize(synth_class_options("st_elevation", 0));
  const auto& b = ste.beats[2];
  EXPECT_GT(at(ste, 7, b.qrs_offset + 30), 0.1f);
  const auto std_ = synthesize(synth_class_options("st_depression", 0));
  EXPECT_LT(at(std_, 10, std_.beats[2].qrs_offset + 30), -0.05f);
  const auto normal = synthesize(synth_class_options("sinus", 0));
  const auto inv = synthesize(synth_class_options("t_inversion", 0));
  EXPECT_GT(at(normal, 10, normal.beats[2].t_peak), 0.1f);
  EXPECT_LT(at(inv, 10, inv.beats[2].t_peak), -0.1f);
  const auto low = synthesize(synth_class_options("low_voltage", 0));
  EXPECT_LT(low.record.signal.slice(0, 0, 6).abs().max().item<float>(), 0.5f);  // limb leads under 0.5 mV
  EXPECT_GT(normal.record.signal.slice(0, 0, 6).abs().max().item<float>(), 0.5f);
}

TEST(Synth, NoiseHasTheRequestedSnr) {
  const auto clean = synthesize(SynthOptions().seed(5));
  for (double snr : {0.0, 10.0, 24.0}) {
    const auto noisy = synthesize(SynthOptions().seed(5).snr_db(snr));
    const auto noise = (noisy.record.signal - clean.record.signal).to(torch::kFloat64);
    const double measured = 10 * std::log10(clean.record.signal.to(torch::kFloat64).pow(2).mean().item<double>() /
                                            noise.pow(2).mean().item<double>());
    EXPECT_NEAR(measured, snr, 0.05) << snr;
  }
  EXPECT_ERROR_HAS(synthesize(SynthOptions().noise({"thermal"}).snr_db(10)), "synth: unknown noise 'thermal'");
  EXPECT_ERROR_HAS(synthesize(SynthOptions().rhythm("vfib")), "synth: rhythm must be sinus, afib or aflutter");
  EXPECT_ERROR_HAS(synth_class_options("wpw", 0), "synth: unknown class 'wpw'");
}

}  // namespace
}  // namespace ecg::data
