#include "data/dsp.h"

#include <torch/torch.h>

#include <cmath>
#include <complex>
#include <numeric>

#include "core/error.h"

namespace ecg::data {
namespace {

using cd = std::complex<double>;

// Applies `fn(const double* in, double* out, int64_t n)` to every series of x [..., T].
template <class Fn>
torch::Tensor per_series(const torch::Tensor& x, int64_t out_len, Fn fn) {
  ECG_CHECK(x.defined() && x.dim() >= 1, "dsp: expected a signal [..., T]");
  const int64_t n = x.size(-1);
  const auto in = x.detach().to(torch::kCPU, torch::kFloat64).contiguous().view({-1, n});
  auto sizes = x.sizes().vec();
  sizes.back() = out_len;
  auto out = torch::empty({in.size(0), out_len}, torch::kFloat64);
  for (int64_t i = 0; i < in.size(0); ++i) fn(in.data_ptr<double>() + i * n, out.data_ptr<double>() + i * out_len, n);
  return out.view(sizes).to(x.scalar_type());
}

// y = sos(x) with per-section state z [sections][2], direct form II transposed.
void sosfilt(const Sos& sos, const double* x, double* y, int64_t n, std::vector<std::array<double, 2>>& z) {
  for (int64_t t = 0; t < n; ++t) {
    double v = x[t];
    for (size_t s = 0; s < sos.size(); ++s) {
      const auto& c = sos[s];
      const double out = c[0] * v + z[s][0];
      z[s][0] = c[1] * v - c[4] * out + z[s][1];
      z[s][1] = c[2] * v - c[5] * out;
      v = out;
    }
    y[t] = v;
  }
}

// scipy.signal.sosfilt_zi: steady-state state of each section for a unit step.
std::vector<std::array<double, 2>> sosfilt_zi(const Sos& sos) {
  std::vector<std::array<double, 2>> zi(sos.size());
  double scale = 1.0;
  for (size_t s = 0; s < sos.size(); ++s) {
    const auto& c = sos[s];
    // lfilter_zi for a biquad: solve [[1 + a1, -1], [a2, 1]] zi = [b1 - a1 b0, b2 - a2 b0].
    const double b0 = c[0], b1 = c[1], b2 = c[2], a1 = c[4], a2 = c[5];
    const double r0 = b1 - a1 * b0, r1 = b2 - a2 * b0;
    const double det = (1 + a1) + a2;
    const double z0 = (r0 + r1) / det;
    const double z1 = r1 - a2 * z0;
    zi[s] = {scale * z0, scale * z1};
    scale *= (c[0] + c[1] + c[2]) / (c[3] + c[4] + c[5]);
  }
  return zi;
}

std::vector<cd> butter_prototype(int64_t order) {
  std::vector<cd> p;
  for (int64_t m = -order + 1; m < order; m += 2) {
    p.push_back(-std::exp(cd(0, M_PI * static_cast<double>(m) / (2.0 * static_cast<double>(order)))));
  }
  return p;
}

// One section from a pole pair (or a real pole) and its zeros; gain on b.
std::array<double, 6> section(const std::vector<cd>& poles, const std::vector<double>& zeros, double gain) {
  std::array<double, 6> c{};
  if (poles.size() == 2) {
    c[3] = 1;
    c[4] = -(poles[0] + poles[1]).real();
    c[5] = (poles[0] * poles[1]).real();
  } else {
    c[3] = 1;
    c[4] = -poles[0].real();
    c[5] = 0;
  }
  if (zeros.size() == 2) {
    c[0] = 1;
    c[1] = -(zeros[0] + zeros[1]);
    c[2] = zeros[0] * zeros[1];
  } else {
    c[0] = 1;
    c[1] = -zeros[0];
    c[2] = 0;
  }
  for (int i = 0; i < 3; ++i) c[i] *= gain;
  return c;
}

}  // namespace

Sos butterworth(int64_t order, const std::string& type, double low_hz, double high_hz, double fs_hz) {
  ECG_CHECK(order >= 1 && order <= 32, "butterworth: order must be in 1..32, got ", order);
  ECG_CHECK(fs_hz > 0, "butterworth: fs_hz must be > 0, got ", fs_hz);
  const double nyq = fs_hz / 2;
  auto warp = [&](double f, const char* what) {
    ECG_CHECK(f > 0 && f < nyq, "butterworth: ", what, " ", f, " Hz must be inside (0, ", nyq, ") Hz at fs ", fs_hz,
              " Hz");
    return 4.0 * std::tan(M_PI * (f / nyq) / 2.0);  // SciPy's pre-warping with fs = 2
  };
  const std::vector<cd> proto = butter_prototype(order);
  std::vector<cd> p;
  std::vector<double> zeros;  // digital zeros (all at +-1)
  double k = 1.0;
  const double fs2 = 4.0;
  if (type == "lowpass" || type == "highpass") {
    const double wo = warp(type == "lowpass" ? high_hz : low_hz, "cutoff");
    cd num = 1, den = 1;
    for (const auto& q : proto) {
      const cd a = type == "lowpass" ? wo * q : wo / q;
      p.push_back((fs2 + a) / (fs2 - a));
      den *= (fs2 - a);
      if (type == "highpass") num *= -q;  // lp2hp gain real(prod(-z)/prod(-p)) with no analog zeros
    }
    if (type == "lowpass") {
      k = std::pow(wo, static_cast<double>(order)) * (1.0 / den).real();
      zeros.assign(static_cast<size_t>(order), -1.0);
    } else {
      // Analog zeros at 0 map to z = 1; gain k * real(1 / prod(-p)) * real(prod(fs2 - 0) / prod(fs2 - p)).
      k = (1.0 / num).real() * (std::pow(fs2, static_cast<double>(order)) / den).real();
      zeros.assign(static_cast<size_t>(order), 1.0);
    }
  } else if (type == "bandpass") {
    ECG_CHECK(low_hz < high_hz, "butterworth: bandpass needs low_hz < high_hz, got ", low_hz, " and ", high_hz);
    const double wl = warp(low_hz, "low_hz"), wh = warp(high_hz, "high_hz");
    const double bw = wh - wl, wo = std::sqrt(wl * wh);
    cd den = 1;
    for (const auto& q : proto) {
      const cd lp = q * bw / 2.0;
      const cd root = std::sqrt(lp * lp - wo * wo);
      for (const cd& a : {lp + root, lp - root}) {
        p.push_back((fs2 + a) / (fs2 - a));
        den *= (fs2 - a);
      }
    }
    // order analog zeros at 0 (-> z = 1) and order at infinity (-> z = -1).
    k = std::pow(bw, static_cast<double>(order)) * (std::pow(fs2, static_cast<double>(order)) / den).real();
    for (int64_t i = 0; i < order; ++i) {
      zeros.push_back(1.0);
      zeros.push_back(-1.0);
    }
  } else {
    throw Error(str("butterworth: type must be lowpass, highpass or bandpass, got '", type, "'"));
  }
  // Pair conjugate poles into sections; a real pole (odd order) gets a section alone.
  std::vector<cd> upper, real;
  for (const auto& q : p) {
    if (std::abs(q.imag()) < 1e-12) {
      real.push_back(q);
    } else if (q.imag() > 0) {
      upper.push_back(q);
    }
  }
  Sos sos;
  size_t zi = 0;
  for (const auto& q : upper) {
    sos.push_back(section({q, std::conj(q)}, {zeros[zi], zeros[zi + 1]}, sos.empty() ? k : 1.0));
    zi += 2;
  }
  for (size_t i = 0; i < real.size(); i += 2) {
    if (i + 1 < real.size()) {
      sos.push_back(section({real[i], real[i + 1]}, {zeros[zi], zeros[zi + 1]}, sos.empty() ? k : 1.0));
      zi += 2;
    } else {
      sos.push_back(section({real[i]}, {zeros[zi]}, sos.empty() ? k : 1.0));
      zi += 1;
    }
  }
  ECG_INTERNAL_ASSERT(zi == zeros.size(), "butterworth: ", zi, " zeros used of ", zeros.size());
  return sos;
}

torch::Tensor sosfiltfilt(const Sos& sos, const torch::Tensor& x) {
  ECG_CHECK(!sos.empty(), "sosfiltfilt: no sections");
  int64_t first_order = 0, b_zero = 0, a_zero = 0;
  for (const auto& c : sos) {
    b_zero += c[2] == 0;
    a_zero += c[5] == 0;
  }
  first_order = std::min(b_zero, a_zero);
  const int64_t ntaps = 2 * static_cast<int64_t>(sos.size()) + 1 - first_order;
  const int64_t pad = 3 * ntaps;
  const auto zi = sosfilt_zi(sos);
  return per_series(x, x.size(-1), [&](const double* in, double* out, int64_t n) {
    ECG_CHECK(n > pad, "sosfiltfilt: the signal has ", n, " samples; it must be longer than the padding of ", pad);
    std::vector<double> ext(static_cast<size_t>(n + 2 * pad)), y(ext.size());
    for (int64_t i = 0; i < pad; ++i) ext[i] = 2 * in[0] - in[pad - i];
    for (int64_t i = 0; i < n; ++i) ext[pad + i] = in[i];
    for (int64_t i = 0; i < pad; ++i) ext[pad + n + i] = 2 * in[n - 1] - in[n - 2 - i];
    auto z = zi;
    for (size_t s = 0; s < z.size(); ++s) z[s] = {zi[s][0] * ext[0], zi[s][1] * ext[0]};
    sosfilt(sos, ext.data(), y.data(), static_cast<int64_t>(ext.size()), z);
    std::reverse(y.begin(), y.end());
    for (size_t s = 0; s < z.size(); ++s) z[s] = {zi[s][0] * y[0], zi[s][1] * y[0]};
    std::vector<double> back(y.size());
    sosfilt(sos, y.data(), back.data(), static_cast<int64_t>(y.size()), z);
    std::reverse(back.begin(), back.end());
    for (int64_t i = 0; i < n; ++i) out[i] = back[pad + i];
  });
}

torch::Tensor bandpass(const torch::Tensor& x, double fs_hz, double low_hz, double high_hz, int64_t order) {
  return sosfiltfilt(butterworth(order, "bandpass", low_hz, high_hz, fs_hz), x);
}

torch::Tensor highpass(const torch::Tensor& x, double fs_hz, double cutoff_hz, int64_t order) {
  return sosfiltfilt(butterworth(order, "highpass", cutoff_hz, 0, fs_hz), x);
}

torch::Tensor lowpass(const torch::Tensor& x, double fs_hz, double cutoff_hz, int64_t order) {
  return sosfiltfilt(butterworth(order, "lowpass", 0, cutoff_hz, fs_hz), x);
}

Sos notch_section(double f0_hz, double quality, double fs_hz) {
  ECG_CHECK(fs_hz > 0 && f0_hz > 0 && f0_hz < fs_hz / 2, "notch: f0 ", f0_hz, " Hz must be inside (0, ", fs_hz / 2,
            ") Hz at fs ", fs_hz, " Hz");
  ECG_CHECK(quality > 0, "notch: quality must be > 0, got ", quality);
  const double w0 = 2 * f0_hz / fs_hz * M_PI;
  const double bw = w0 / quality;
  const double gain = 1.0 / (1.0 + std::tan(bw / 2));
  return {{gain, -2 * gain * std::cos(w0), gain, 1.0, -2 * gain * std::cos(w0), 2 * gain - 1}};
}

torch::Tensor notch(const torch::Tensor& x, double fs_hz, double f0_hz, double quality) {
  return sosfiltfilt(notch_section(f0_hz, quality, fs_hz), x);
}

torch::Tensor remove_baseline_highpass(const torch::Tensor& x, double fs_hz, double cutoff_hz) {
  return highpass(x, fs_hz, cutoff_hz, /*order=*/2);
}

PolyphaseFilter polyphase_filter(int64_t up, int64_t down) {
  ECG_CHECK(up >= 1 && down >= 1, "resample_poly: up and down must be >= 1, got ", up, " and ", down);
  const int64_t g = std::gcd(up, down);
  PolyphaseFilter p;
  p.up = up / g;
  p.down = down / g;
  const int64_t max_rate = std::max(p.up, p.down);
  const int64_t half_len = 10 * max_rate;
  const int64_t taps = 2 * half_len + 1;
  // firwin(taps, 1 / max_rate, window=("kaiser", 5.0)), scaled to unit DC gain, times up.
  const double fc = 1.0 / static_cast<double>(max_rate);
  auto bessel_i0 = [](double v) {
    double sum = 1, term = 1;
    for (int k = 1; k < 60; ++k) {
      term *= (v / (2.0 * k)) * (v / (2.0 * k));
      sum += term;
    }
    return sum;
  };
  std::vector<double> h(static_cast<size_t>(taps));
  double hsum = 0;
  for (int64_t i = 0; i < taps; ++i) {
    const double m = static_cast<double>(i) - 0.5 * static_cast<double>(taps - 1);
    const double arg = fc * m;
    const double sinc = arg == 0 ? 1.0 : std::sin(M_PI * arg) / (M_PI * arg);
    const double r = 2.0 * static_cast<double>(i) / static_cast<double>(taps - 1) - 1.0;
    const double win = bessel_i0(5.0 * std::sqrt(std::max(0.0, 1 - r * r))) / bessel_i0(5.0);
    h[i] = fc * sinc * win;
    hsum += h[i];
  }
  for (auto& v : h) v = v / hsum * static_cast<double>(p.up);
  // Pad the filter so that output samples fall on its centre (as SciPy does).
  const int64_t n_pre_pad = p.down - half_len % p.down;
  p.pre_remove = (half_len + n_pre_pad) / p.down;
  h.insert(h.begin(), static_cast<size_t>(n_pre_pad), 0.0);
  p.h = std::move(h);
  return p;
}

double PolyphaseFilter::output(int64_t o, const double* in, int64_t first, int64_t n) const {
  // upfirdn: y[k] = sum_j h[j] x_up[k * down - j], x_up[m] = x[m / up] when up divides m.
  const int64_t t = (o + pre_remove) * down;
  const int64_t len_h = static_cast<int64_t>(h.size());
  double acc = 0;
  for (int64_t j = t % up; j < len_h && j <= t; j += up) {
    const int64_t src = (t - j) / up;
    if (src < n) acc += h[static_cast<size_t>(j)] * in[src - first];
  }
  return acc;
}

int64_t PolyphaseFilter::output_length(int64_t n_in) const {
  return (n_in * up + down - 1) / down;
}

int64_t PolyphaseFilter::last_input(int64_t o) const {
  return (o + pre_remove) * down / up;
}

int64_t PolyphaseFilter::first_input(int64_t o) const {
  const int64_t t = (o + pre_remove) * down;
  const int64_t len_h = static_cast<int64_t>(h.size());
  int64_t j = t % up;
  while (j + up < len_h && j + up <= t) j += up;
  return (t - j) / up;
}

torch::Tensor resample_poly(const torch::Tensor& x, int64_t up, int64_t down) {
  const PolyphaseFilter p = polyphase_filter(up, down);
  if (p.up == 1 && p.down == 1) return x.clone();
  const int64_t n_out = p.output_length(x.size(-1));
  return per_series(x, n_out, [&](const double* in, double* out, int64_t n) {
    for (int64_t o = 0; o < n_out; ++o) out[o] = p.output(o, in, 0, n);
  });
}

torch::Tensor resample(const torch::Tensor& x, double from_hz, double to_hz) {
  ECG_CHECK(from_hz > 0 && to_hz > 0 && from_hz == std::round(from_hz) && to_hz == std::round(to_hz),
            "resample: rates must be positive integers in Hz, got ", from_hz, " and ", to_hz);
  return resample_poly(x, static_cast<int64_t>(to_hz), static_cast<int64_t>(from_hz));
}

}  // namespace ecg::data
