#include "data/synth.h"

#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>

#include "core/error.h"

namespace ecg::data {
namespace {

using Vec3 = std::array<double, 3>;

Vec3 scaled(Vec3 v, double magnitude) {
  const double n = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  for (auto& x : v) x *= magnitude / n;
  return v;
}

// Dower et al. 1980: rows I, II, V1..V6; columns X, Y, Z.
constexpr double kDower[8][3] = {{0.632, -0.235, 0.059}, {0.235, 1.066, -0.132}, {-0.515, 0.157, -0.917},
                                 {0.044, 0.164, -1.387}, {0.882, 0.098, -1.277}, {1.213, 0.127, -0.601},
                                 {1.125, 0.127, -0.086}, {0.831, 0.076, 0.230}};

constexpr double kEdge = 2.5;  // onset / offset at centre -+ 2.5 sigma

struct Wave {
  Vec3 amp;
  double centre_s;  // absolute time
  double sigma_s;
};

struct Beat {
  BeatFiducials fid;
  std::vector<Wave> waves;
};

int64_t to_sample(double t, double fs) {
  return static_cast<int64_t>(std::llround(t * fs));
}

// Waves of one beat whose R peak is at time r (s); rr_s is the preceding RR interval.
Beat make_beat(char type, double r, double rr_s, const SynthOptions& o, double fs, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> jitter(0.95, 1.05);
  const double a = o.amplitude_scale();
  Beat b;
  b.fid.type = type;
  std::vector<Wave> qrs;
  if (type == 'V') {
    // Ventricular origin: one broad wave, directed anteriorly, no P; discordant T.
    qrs.push_back({scaled({-0.4, 0.4, -0.8}, 1.6 * a * jitter(rng)), r, 0.030});
  } else if (o.bundle_branch() == "lbbb") {
    const Vec3 dir = scaled({0.9, 0.2, 0.6}, 1.3 * a * jitter(rng));
    qrs.push_back({dir, r - 0.018, 0.018});
    qrs.push_back({dir, r + 0.018, 0.018});
  } else {
    qrs.push_back({scaled({-0.1, -0.05, -0.05}, 0.12 * a), r - 0.025, 0.008});            // Q (septal)
    qrs.push_back({scaled({0.8, 0.7, 0.3}, 1.3 * a * jitter(rng)), r, 0.011});            // R
    qrs.push_back({scaled({-0.2, -0.3, 0.3}, 0.35 * a * jitter(rng)), r + 0.03, 0.009});  // S
    if (o.bundle_branch() == "rbbb") qrs.push_back({scaled({-0.4, 0.0, -0.9}, 0.6 * a), r + 0.065, 0.016});  // R'
  }
  double on = 1e9, off = -1e9;
  for (const auto& w : qrs) {
    on = std::min(on, w.centre_s - kEdge * w.sigma_s);
    off = std::max(off, w.centre_s + kEdge * w.sigma_s);
  }
  b.fid.qrs_onset = to_sample(on, fs);
  b.fid.r_peak = to_sample(r, fs);
  b.fid.qrs_offset = to_sample(off, fs);
  b.waves = qrs;
  // P wave (sinus and PAC beats; none in AF, flutter or PVC).
  if (type != 'V' && o.rhythm() == "sinus") {
    const double sigma = 0.02;
    const double p_on = on - o.pr_s();
    const double centre = p_on + kEdge * sigma;
    const Vec3 dir = type == 'S' ? scaled({0.3, -0.4, 0.2}, 0.10 * a) : scaled({0.5, 0.85, -0.1}, 0.15 * a);
    b.waves.push_back({dir, centre, sigma});
    b.fid.p_onset = to_sample(p_on, fs);
    b.fid.p_peak = to_sample(centre, fs);
    b.fid.p_offset = to_sample(centre + kEdge * sigma, fs);
  }
  // T wave: QT from Bazett with QTc 0.40 s (0.44 s for wide QRS), ends the beat.
  const bool wide = type == 'V' || o.bundle_branch() != "none";
  const double qt = (wide ? 0.44 : 0.40) * std::sqrt(std::clamp(rr_s, 0.3, 2.0));
  const double t_sigma = 0.045;
  const double t_centre = on + qt - kEdge * t_sigma;
  Vec3 t_dir = scaled({0.6, 0.6, -0.2}, 0.32 * a);
  if (wide) t_dir = scaled({-0.6, -0.3, 0.5}, 0.35 * a);  // discordant to the wide QRS
  if (o.t_inversion()) t_dir = {-t_dir[0], -t_dir[1], -t_dir[2]};
  b.waves.push_back({t_dir, t_centre, t_sigma});
  b.fid.t_peak = to_sample(t_centre, fs);
  b.fid.t_offset = to_sample(t_centre + kEdge * t_sigma, fs);
  // ST shift: a plateau from the J point to the T wave, anterior (elevation) or lateral.
  if (o.st_shift_mv() != 0.0 && type != 'V') {
    const double centre = (off + t_centre) / 2;
    const double sigma = std::max(0.02, (t_centre - off) / 2.0);
    const Vec3 dir = o.st_shift_mv() > 0 ? scaled({0.3, 0.2, -1.0}, o.st_shift_mv() * a)
                                         : scaled({0.9, 0.4, 0.1}, o.st_shift_mv() * a);
    b.waves.push_back({dir, centre, sigma});
  }
  return b;
}

void add_gaussian(std::vector<double>& vcg, int64_t n, double fs, const Wave& w) {
  const int64_t lo = std::max<int64_t>(0, to_sample(w.centre_s - 5 * w.sigma_s, fs));
  const int64_t hi = std::min<int64_t>(n - 1, to_sample(w.centre_s + 5 * w.sigma_s, fs));
  for (int64_t k = lo; k <= hi; ++k) {
    const double d = (static_cast<double>(k) / fs - w.centre_s) / w.sigma_s;
    const double g = std::exp(-0.5 * d * d);
    for (int c = 0; c < 3; ++c) vcg[static_cast<size_t>(c * n + k)] += w.amp[c] * g;
  }
}

void check(const SynthOptions& o) {
  ECG_CHECK(o.fs_hz() >= 50 && o.fs_hz() <= 10000, "synth: fs_hz must be in [50, 10000], got ", o.fs_hz());
  ECG_CHECK(o.duration_s() >= 1 && o.duration_s() <= 3600, "synth: duration_s must be in [1, 3600], got ",
            o.duration_s());
  ECG_CHECK(o.rhythm() == "sinus" || o.rhythm() == "afib" || o.rhythm() == "aflutter",
            "synth: rhythm must be sinus, afib or aflutter, got '", o.rhythm(), "'");
  ECG_CHECK(o.hr_bpm() >= 20 && o.hr_bpm() <= 250, "synth: hr_bpm must be in [20, 250], got ", o.hr_bpm());
  ECG_CHECK(o.bundle_branch() == "none" || o.bundle_branch() == "lbbb" || o.bundle_branch() == "rbbb",
            "synth: bundle_branch must be none, lbbb or rbbb, got '", o.bundle_branch(), "'");
  ECG_CHECK(o.pr_s() >= 0.08 && o.pr_s() <= 0.4, "synth: pr_s must be in [0.08, 0.4], got ", o.pr_s());
  ECG_CHECK(o.flutter_conduction() >= 1 && o.flutter_conduction() <= 8, "synth: flutter_conduction must be 1..8");
  ECG_CHECK(
      o.pac_probability() >= 0 && o.pac_probability() <= 1 && o.pvc_probability() >= 0 && o.pvc_probability() <= 1,
      "synth: pac_probability and pvc_probability must be in [0, 1]");
  for (const auto& n : o.noise()) {
    ECG_CHECK(n == "baseline" || n == "powerline" || n == "emg" || n == "motion", "synth: unknown noise '", n,
              "' (baseline, powerline, emg, motion)");
  }
}

}  // namespace

SynthEcg synthesize(const SynthOptions& o) {
  check(o);
  std::mt19937_64 rng(static_cast<uint64_t>(o.seed()) * 0x9E3779B97F4A7C15ull + 1);
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  std::normal_distribution<double> gauss(0.0, 1.0);
  const double fs = o.fs_hz();
  const int64_t n = static_cast<int64_t>(std::llround(o.duration_s() * fs));
  const double rr0 = 60.0 / o.hr_bpm();

  // R-peak times and beat types.
  std::vector<std::pair<double, char>> rs;
  double t = 0.35 + 0.3 * rr0 * u01(rng);
  double last_sinus = t - rr0;
  bool any_pac = false, any_pvc = false;
  const double ta = 60.0 / o.flutter_rate_bpm();
  while (t < o.duration_s() + 1.0) {
    char type = 'N';
    if (o.rhythm() == "sinus" && !rs.empty() && rs.back().second == 'N') {
      const double x = u01(rng);
      if (x < o.pvc_probability()) {
        type = 'V';
      } else if (x < o.pvc_probability() + o.pac_probability()) {
        type = 'S';
      }
    }
    if (type == 'V') {
      // Premature, then a compensatory pause: the next sinus beat keeps the sinus timing.
      const double at = rs.back().first + 0.6 * rr0;
      rs.emplace_back(at, 'V');
      any_pvc = true;
      t = last_sinus + 2 * rr0;
    } else if (type == 'S') {
      // Premature; the sinus node resets, so the pause is not compensatory.
      const double at = rs.back().first + 0.7 * rr0;
      rs.emplace_back(at, 'S');
      any_pac = true;
      t = at + rr0;
    }
    rs.emplace_back(t, 'N');
    last_sinus = t;
    if (o.rhythm() == "afib") {
      t += rr0 * (0.65 + 0.7 * u01(rng));
    } else if (o.rhythm() == "aflutter") {
      t += ta * static_cast<double>(o.flutter_conduction());
    } else {
      const double rsa = 0.5 * o.hrv() * std::sin(2 * M_PI * 0.25 * t);
      t += rr0 * (1.0 + rsa + o.hrv() * 0.5 * gauss(rng));
    }
  }
  // Guarantee the labelled ectopy appears at least once in the record.
  if (o.rhythm() == "sinus" && o.duration_s() >= 3 &&
      ((o.pvc_probability() > 0 && !any_pvc) || (o.pac_probability() > 0 && !any_pac))) {
    const char want = o.pvc_probability() > 0 && !any_pvc ? 'V' : 'S';
    for (size_t i = 2; i + 1 < rs.size(); ++i) {
      if (rs[i].second == 'N' && rs[i - 1].second == 'N' && rs[i].first > 1.0) {
        rs[i].first = rs[i - 1].first + (want == 'V' ? 0.6 : 0.7) * rr0;
        rs[i].second = want;
        (want == 'V' ? any_pvc : any_pac) = true;
        break;
      }
    }
  }

  SynthEcg out;
  std::vector<double> vcg(static_cast<size_t>(3 * n), 0.0);
  double prev_r = rs.front().first - rr0;
  for (const auto& [r, type] : rs) {
    Beat b = make_beat(type, r, r - prev_r, o, fs, rng);
    for (const auto& w : b.waves) add_gaussian(vcg, n, fs, w);
    if (b.fid.r_peak >= 0 && b.fid.r_peak < n) out.beats.push_back(b.fid);
    prev_r = r;
  }
  // Atrial activity without P waves.
  if (o.rhythm() == "afib") {
    const Vec3 dir = scaled({0.2, 0.6, -0.8}, 0.06 * o.amplitude_scale());
    const double f0 = 5.5 + u01(rng) * 2.0;
    double phase = u01(rng) * 2 * M_PI;
    for (int64_t k = 0; k < n; ++k) {
      const double tt = static_cast<double>(k) / fs;
      phase += 2 * M_PI * f0 * (1.0 + 0.15 * std::sin(2 * M_PI * 0.3 * tt)) / fs;
      const double v = std::sin(phase) * (0.7 + 0.3 * std::sin(2 * M_PI * 0.5 * tt));
      for (int c = 0; c < 3; ++c) vcg[static_cast<size_t>(c * n + k)] += dir[c] * v;
    }
  } else if (o.rhythm() == "aflutter") {
    const Vec3 dir = scaled({0.1, -1.0, 0.2}, 0.15 * o.amplitude_scale());
    const double offset = u01(rng) * ta;
    for (int64_t k = 0; k < n; ++k) {
      const double x = std::fmod(static_cast<double>(k) / fs + offset, ta) / ta;  // 0..1
      const double saw = x < 0.8 ? (x / 0.8) * 2 - 1 : 1 - (x - 0.8) / 0.2 * 2;   // slow fall, fast rise
      for (int c = 0; c < 3; ++c) vcg[static_cast<size_t>(c * n + k)] += dir[c] * saw;
    }
  }

  // Project: I, II, V1..V6 from the VCG; III, aVR, aVL, aVF from I and II.
  auto sig = torch::zeros({12, n}, torch::kFloat64);
  auto acc = sig.accessor<double, 2>();
  const int rows[8] = {0, 1, 6, 7, 8, 9, 10, 11};
  for (int l = 0; l < 8; ++l) {
    for (int64_t k = 0; k < n; ++k) {
      acc[rows[l]][k] = kDower[l][0] * vcg[static_cast<size_t>(k)] + kDower[l][1] * vcg[static_cast<size_t>(n + k)] +
                        kDower[l][2] * vcg[static_cast<size_t>(2 * n + k)];
    }
  }
  for (int64_t k = 0; k < n; ++k) {
    const double i = acc[0][k], ii = acc[1][k];
    acc[2][k] = ii - i;
    acc[3][k] = -(i + ii) / 2;
    acc[4][k] = i - ii / 2;
    acc[5][k] = ii - i / 2;
  }

  // Noise at the requested SNR (power over all leads), equal shares of each kind.
  if (o.snr_db() < 1000 && !o.noise().empty()) {
    const auto time = torch::arange(n, torch::kFloat64) / fs;
    auto total = torch::zeros({12, n}, torch::kFloat64);
    auto randn = [&](int64_t rows_, int64_t cols) {
      auto z = torch::empty({rows_, cols}, torch::kFloat64);
      auto p = z.data_ptr<double>();
      for (int64_t k = 0; k < z.numel(); ++k) p[k] = gauss(rng);
      return z;
    };
    for (const auto& kind : o.noise()) {
      torch::Tensor v;
      if (kind == "baseline") {
        v = torch::zeros({12, n}, torch::kFloat64);
        for (int k = 0; k < 3; ++k) {
          const double f = 0.05 + 0.45 * u01(rng), ph = 2 * M_PI * u01(rng);
          v = v + randn(12, 1) * torch::sin(2 * M_PI * f * time + ph).view({1, -1});
        }
      } else if (kind == "powerline") {
        const double ph = 2 * M_PI * u01(rng);
        v = randn(12, 1) * (torch::sin(2 * M_PI * o.powerline_hz() * time + ph) +
                            0.2 * torch::sin(2 * M_PI * 3 * o.powerline_hz() * time + 3 * ph))
                               .view({1, -1});
      } else if (kind == "emg") {
        v = randn(12, n);
      } else {  // motion: smooth random bumps
        v = torch::zeros({12, n}, torch::kFloat64);
        const int bumps = 2 + static_cast<int>(u01(rng) * 4);
        for (int k = 0; k < bumps; ++k) {
          const double c = u01(rng) * o.duration_s(), w = 0.1 + 0.3 * u01(rng);
          v = v + randn(12, 1) * torch::exp(-0.5 * ((time - c) / w).pow(2)).view({1, -1});
        }
      }
      const double p = v.pow(2).mean().item<double>();
      if (p > 0) total = total + v / std::sqrt(p);
    }
    const double ps = sig.pow(2).mean().item<double>(), pn = total.pow(2).mean().item<double>();
    if (pn > 0) sig = sig + total * std::sqrt(ps / pn / std::pow(10.0, o.snr_db() / 10.0));
  }

  Record& rec = out.record;
  rec.id = "synth-" + std::to_string(o.seed());
  rec.fs_hz = fs;
  rec.leads = standard_leads();
  rec.units.assign(12, "mV");
  rec.signal = sig.to(torch::kFloat32);

  // Labels.
  std::string rhythm = o.rhythm();
  if (rhythm == "sinus") rhythm = o.hr_bpm() < 60 ? "sinus_brady" : o.hr_bpm() > 100 ? "sinus_tachy" : "sinus";
  out.labels.push_back(rhythm);
  if (any_pac) out.labels.push_back("pac");
  if (any_pvc) out.labels.push_back("pvc");
  if (o.rhythm() == "sinus" && o.pr_s() > 0.2) out.labels.push_back("avb1");
  if (o.bundle_branch() != "none") out.labels.push_back(o.bundle_branch());
  if (o.st_shift_mv() >= 0.1) out.labels.push_back("st_elevation");
  if (o.st_shift_mv() <= -0.05) out.labels.push_back("st_depression");
  if (o.t_inversion()) out.labels.push_back("t_inversion");
  if (o.amplitude_scale() < 0.5) out.labels.push_back("low_voltage");
  return out;
}

const std::vector<std::string>& synth_classes() {
  static const std::vector<std::string> k = {"sinus",        "sinus_brady",   "sinus_tachy", "afib",       "aflutter",
                                             "pac",          "pvc",           "avb1",        "lbbb",       "rbbb",
                                             "st_elevation", "st_depression", "t_inversion", "low_voltage"};
  return k;
}

SynthOptions synth_class_options(const std::string& cls, int64_t seed, double fs_hz, double duration_s) {
  std::mt19937_64 rng(static_cast<uint64_t>(seed) * 0xD1B54A32D192ED03ull + 7);
  auto u = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  SynthOptions o;
  o.fs_hz(fs_hz).duration_s(duration_s).seed(seed).hr_bpm(u(60, 95)).pr_s(u(0.13, 0.19));
  if (cls == "sinus") {
  } else if (cls == "sinus_brady") {
    o.hr_bpm(u(40, 55));
  } else if (cls == "sinus_tachy") {
    o.hr_bpm(u(105, 140));
  } else if (cls == "afib") {
    o.rhythm("afib").hr_bpm(u(70, 130));
  } else if (cls == "aflutter") {
    o.rhythm("aflutter").flutter_rate_bpm(u(260, 320)).flutter_conduction(u(0, 1) < 0.7 ? 2 : 4);
  } else if (cls == "pac") {
    o.pac_probability(0.2);
  } else if (cls == "pvc") {
    o.pvc_probability(0.2);
  } else if (cls == "avb1") {
    o.pr_s(u(0.22, 0.30));
  } else if (cls == "lbbb" || cls == "rbbb") {
    o.bundle_branch(cls);
  } else if (cls == "st_elevation") {
    o.st_shift_mv(u(0.15, 0.3));
  } else if (cls == "st_depression") {
    o.st_shift_mv(u(-0.2, -0.1));
  } else if (cls == "t_inversion") {
    o.t_inversion(true);
  } else if (cls == "low_voltage") {
    o.amplitude_scale(u(0.25, 0.4));
  } else {
    throw Error(str("synth: unknown class '", cls, "'"));
  }
  return o;
}

}  // namespace ecg::data
