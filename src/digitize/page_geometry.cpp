#include "digitize/page_geometry.h"

#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <complex>
#include <numeric>

#include "core/error.h"
#include "digitize/channels.h"

namespace ecg::digitize {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kSearchStripes = 32;    // for the angle search
constexpr int kProfileStripes = 256;  // for the final profile: 8 px stripes, 0.4 px smear at 3 deg

// Profiles across the lines, one per stripe: rows of the result are stripes, columns
// the coordinate across the lines. horizontal = true: stripes are vertical bands of the
// image and profiles run along y.
cv::Mat stripe_profiles(const cv::Mat& g, bool horizontal, int stripes, std::vector<double>* centres) {
  const int along = horizontal ? g.cols : g.rows;
  const int across = horizontal ? g.rows : g.cols;
  stripes = std::max(1, std::min(stripes, along));
  cv::Mat out(stripes, across, CV_64F);
  centres->clear();
  for (int k = 0; k < stripes; ++k) {
    const int a0 = k * along / stripes, a1 = (k + 1) * along / stripes;
    cv::Mat roi = horizontal ? g(cv::Range::all(), cv::Range(a0, a1)) : g(cv::Range(a0, a1), cv::Range::all());
    cv::Mat sum;
    cv::reduce(roi, sum, horizontal ? 1 : 0, cv::REDUCE_SUM, CV_64F);
    sum = sum.reshape(1, 1);
    sum.copyTo(out.row(k));
    centres->push_back(0.5 * (a0 + a1) - 0.5 * along);
  }
  return out;
}

// Sum of the stripes' profiles, each shifted by centre * slope (linear interpolation).
std::vector<double> combined_profile(const cv::Mat& stripes, const std::vector<double>& centres, double slope) {
  const int n = stripes.cols;
  std::vector<double> out(static_cast<size_t>(n), 0.0);
  for (int k = 0; k < stripes.rows; ++k) {
    const double* p = stripes.ptr<double>(k);
    const double shift = centres[static_cast<size_t>(k)] * slope;
    const double fl = std::floor(shift);
    const int s = static_cast<int>(fl);
    const double w = shift - fl;
    for (int i = 0; i < n; ++i) {
      // out[i] takes the stripe at i + shift: a line at y = c + x slope lands on c.
      const int j = i + s;
      if (j < 0 || j + 1 >= n) continue;
      out[static_cast<size_t>(i)] += (1 - w) * p[j] + w * p[j + 1];
    }
  }
  return out;
}

double sharpness(const std::vector<double>& v) {
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(std::max<size_t>(1, v.size()));
  double s = 0;
  for (double x : v) s += (x - mean) * (x - mean);
  return s;
}

// The angle (deg) whose shifted sum of stripe profiles is sharpest.
double best_angle(const cv::Mat& stripes, const std::vector<double>& centres, double max_deg) {
  auto score = [&](double deg) { return sharpness(combined_profile(stripes, centres, std::tan(deg * kPi / 180))); };
  double best = 0, best_s = -1;
  for (double d = -max_deg; d <= max_deg + 1e-9; d += 0.1) {
    const double s = score(d);
    if (s > best_s) best_s = s, best = d;
  }
  double lo = best - 0.15, hi = best + 0.15, fine = best;
  best_s = -1;
  for (double d = lo; d <= hi + 1e-9; d += 0.005) {
    const double s = score(d);
    if (s > best_s) best_s = s, fine = d;
  }
  // Parabolic refinement over the three points around the best.
  const double a = score(fine - 0.005), b = best_s, c = score(fine + 0.005);
  const double den = a - 2 * b + c;
  if (den < 0) fine += 0.005 * 0.5 * (a - c) / den;
  return fine;
}

// |DFT| of the (mean-free, Hann-windowed) profile at frequency f (cycles per sample).
double dft_mag(const std::vector<double>& x, double f) {
  std::complex<double> acc(0, 0);
  const std::complex<double> step = std::polar(1.0, -2 * kPi * f);
  std::complex<double> w(1, 0);
  for (double v : x) {
    acc += v * w;
    w *= step;
  }
  return std::abs(acc);
}

std::vector<double> prepare(const std::vector<double>& profile) {
  const size_t n = profile.size();
  const double mean = std::accumulate(profile.begin(), profile.end(), 0.0) / static_cast<double>(n);
  std::vector<double> x(n);
  for (size_t i = 0; i < n; ++i) {
    const double hann = 0.5 - 0.5 * std::cos(2 * kPi * (static_cast<double>(i) + 0.5) / static_cast<double>(n));
    x[i] = (profile[i] - mean) * hann;
  }
  return x;
}

}  // namespace

cv::Mat grid_signal(const cv::Mat& image) {
  ECG_CHECK(!image.empty(), "page geometry: empty image");
  ECG_CHECK(image.depth() == CV_8U && (image.channels() == 3 || image.channels() == 1),
            "page geometry: expected an 8-bit BGR or grey image, got type ", image.type());
  const cv::Mat minch = channel_min(image);
  // Paper brightness: the brightest values around each point, at 1/8 scale.
  cv::Mat small, paper;
  const cv::Size ss(std::max(1, image.cols / 8), std::max(1, image.rows / 8));
  cv::resize(minch, small, ss, 0, 0, cv::INTER_AREA);
  cv::dilate(small, small, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(5, 5)));
  cv::blur(small, small, cv::Size(5, 5));
  cv::resize(small, paper, image.size(), 0, 0, cv::INTER_LINEAR);
  cv::Mat m32, p32, g;
  minch.convertTo(m32, CV_32F);
  paper.convertTo(p32, CV_32F);
  p32 = cv::max(p32, 16.0f);
  cv::divide(m32, p32, g);
  g = 1.0f - g;
  cv::max(g, 0.0f, g);
  cv::min(g, 1.0f, g);
  return g;
}

GridPeriod find_grid_period(const std::vector<double>& profile, double min_period_px, double max_period_px,
                            double expected_period_px) {
  GridPeriod out;
  const size_t n = profile.size();
  if (n < 64) return out;
  const auto x = prepare(profile);
  // Zero-padded FFT for the coarse spectrum.
  const int nfft = cv::getOptimalDFTSize(static_cast<int>(std::max<size_t>(n * 16, 32768)));
  cv::Mat buf = cv::Mat::zeros(1, nfft, CV_64F);
  for (size_t i = 0; i < n; ++i) buf.at<double>(0, static_cast<int>(i)) = x[i];
  cv::Mat spec;
  cv::dft(buf, spec, cv::DFT_COMPLEX_OUTPUT);
  std::vector<double> mag(static_cast<size_t>(nfft / 2));
  for (int i = 0; i < nfft / 2; ++i) {
    const auto c = spec.at<cv::Vec2d>(0, i);
    mag[static_cast<size_t>(i)] = std::hypot(c[0], c[1]);
  }
  auto at = [&](double f) {  // cycles per sample -> interpolated magnitude
    const double idx = f * nfft;
    const int i = static_cast<int>(std::floor(idx));
    if (i < 0 || i + 1 >= static_cast<int>(mag.size())) return 0.0;
    const double w = idx - i;
    return (1 - w) * mag[static_cast<size_t>(i)] + w * mag[static_cast<size_t>(i) + 1];
  };
  // Spectrum floor: the median over the band of plausible frequencies.
  const double f_lo = 1.0 / (5 * max_period_px), f_hi = std::min(0.5, 1.0 / min_period_px);
  std::vector<double> band;
  for (int i = static_cast<int>(f_lo * nfft); i < static_cast<int>(f_hi * nfft) && i < nfft / 2; i += 4)
    band.push_back(mag[static_cast<size_t>(i)]);
  if (band.empty()) return out;
  std::nth_element(band.begin(), band.begin() + band.size() / 2, band.end());
  const double floor = std::max(1e-12, band[band.size() / 2]);
  // Candidate 1 mm frequencies: local maxima of the spectrum in [1/max, 1/min].
  struct Cand {
    double f, mag;
  };
  std::vector<Cand> peaks;
  const int i0 = std::max(2, static_cast<int>(std::floor(f_lo * nfft))), i1 = static_cast<int>(f_hi * nfft);
  const int guard = std::max(2, nfft / static_cast<int>(n) / 2);
  double strongest = 0;
  for (int i = i0; i < i1 && i + guard < nfft / 2; ++i) {
    const double m = mag[static_cast<size_t>(i)];
    bool is_max = true;
    for (int d = 1; d <= guard && is_max; ++d)
      is_max = m >= mag[static_cast<size_t>(i - d)] && m >= mag[static_cast<size_t>(i + d)];
    if (!is_max || m < 6 * floor) continue;
    peaks.push_back({static_cast<double>(i) / nfft, m});
    strongest = std::max(strongest, m);
  }
  if (peaks.empty()) return out;
  const double f_min_period = 1.0 / max_period_px, f_max_period = 1.0 / min_period_px;
  // The lowest strong peak with the 5 mm comb beneath it is the 1 mm frequency.
  std::sort(peaks.begin(), peaks.end(), [](const Cand& a, const Cand& b) { return a.f < b.f; });
  double chosen = 0, chosen_mag = 0;
  for (const auto& c : peaks) {
    if (c.f < f_min_period || c.f > f_max_period || c.mag < 0.2 * strongest) continue;
    double comb = 1e300, contrast = 1e300;
    for (int k = 1; k <= 4; ++k) {
      // The sub-harmonic's own peak may sit a little off k f / 5: take the local max. It
      // must stand out from the spectrum halfway to its neighbours too (not leakage from
      // strong lines elsewhere).
      double m = 0;
      for (double d = -1.5; d <= 1.5; d += 0.5) m = std::max(m, at(k * c.f / 5 + d / nfft));
      comb = std::min(comb, m);
      const double between = std::max({at((k - 0.5) * c.f / 5), at((k + 0.5) * c.f / 5), floor});
      contrast = std::min(contrast, m / between);
    }
    if (comb > 4 * floor && contrast > 2) {
      chosen = c.f;
      chosen_mag = c.mag;
      break;
    }
  }
  // A comb under the 5 mm lines themselves (a 25 mm pattern: lighting, row spacing) would
  // read them as 1 mm lines; the page size vetoes a reading more than 2.5x off it when
  // five times the frequency is nearer.
  if (chosen > 0 && expected_period_px > 0 && 5 * chosen <= f_max_period) {
    const double f_expected = 1.0 / expected_period_px;
    if (std::abs(std::log(chosen / f_expected)) > std::log(2.5) &&
        std::abs(std::log(5 * chosen / f_expected)) < std::abs(std::log(chosen / f_expected))) {
      chosen *= 5;
    }
  }
  if (chosen == 0) {
    // No 5 mm comb under any strong peak: one family of lines only. The strongest peak is
    // either the 5 mm lines (minor lines lost to blur or thresholding) or the 1 mm lines
    // (major lines too faint to stand out); the page size decides between them where
    // known (the reading whose period is nearer expected_period_px), else 5 mm.
    for (const auto& c : peaks) {
      const bool as5 = 5 * c.f >= f_min_period && 5 * c.f <= f_max_period;
      const bool as1 = c.f >= f_min_period && c.f <= f_max_period;
      if (c.mag > chosen_mag && (as5 || as1)) chosen = c.f, chosen_mag = c.mag;
    }
    if (chosen == 0) return out;
    const bool as5 = 5 * chosen >= f_min_period && 5 * chosen <= f_max_period;
    const bool as1 = chosen >= f_min_period && chosen <= f_max_period;
    bool major = as5;
    if (as5 && as1 && expected_period_px > 0) {
      const double f_expected = 1.0 / expected_period_px;
      major = std::abs(std::log(5 * chosen / f_expected)) < std::abs(std::log(chosen / f_expected));
    }
    if (major) {
      out.minor = false;
      chosen *= 5;  // as a 1 mm frequency
    }
  }
  // Refine on the exact DFT: the energy of the 5 mm comb's harmonics below Nyquist.
  auto energy = [&](double f1mm) {
    double e = 0;
    for (int k = 1; k <= 25; ++k) {
      const double f = k * f1mm / 5;
      if (f > 0.45) break;
      const double m = dft_mag(x, f);
      e += m * m;
    }
    return e;
  };
  double best = chosen, best_e = energy(chosen);
  double span = 2.0 / static_cast<double>(nfft);
  for (int iter = 0; iter < 3; ++iter) {
    const double centre = best;
    for (int s = -10; s <= 10; ++s) {
      const double f = centre + s * span / 10;
      const double e = energy(f);
      if (e > best_e) best_e = e, best = f;
    }
    span /= 8;
  }
  out.period_px = 1.0 / best;
  out.strength = chosen_mag / floor;
  return out;
}

void set_canonical_transform(PageGeometry& g, double canonical_px_per_mm) {
  g.canonical_px_per_mm = canonical_px_per_mm;
  const double th = std::tan(g.angle_h_deg * kPi / 180), tv = std::tan(g.angle_v_deg * kPi / 180);
  const double su = canonical_px_per_mm / g.px_per_mm_x, sv = canonical_px_per_mm / g.px_per_mm_y;
  // u = su (x + y tv), v = sv (y - x th), about the image centre; then the canvas is moved
  // so the whole input fits.
  const double cx = 0.5 * g.input_size.width, cy = 0.5 * g.input_size.height;
  cv::Matx33d lin(su, su * tv, 0, -sv * th, sv, 0, 0, 0, 1);
  cv::Matx33d centre(1, 0, -cx, 0, 1, -cy, 0, 0, 1);
  cv::Matx33d m = lin * centre;
  double umin = 1e300, umax = -1e300, vmin = 1e300, vmax = -1e300;
  for (double px : {0.0, static_cast<double>(g.input_size.width)}) {
    for (double py : {0.0, static_cast<double>(g.input_size.height)}) {
      const cv::Vec3d p = m * cv::Vec3d(px, py, 1);
      umin = std::min(umin, p[0]), umax = std::max(umax, p[0]);
      vmin = std::min(vmin, p[1]), vmax = std::max(vmax, p[1]);
    }
  }
  // Keep the page centre at the canvas centre, with the canvas as large as the rotated page.
  const double w = std::ceil(umax - umin), h = std::ceil(vmax - vmin);
  cv::Matx33d shift(1, 0, 0.5 * w, 0, 1, 0.5 * h, 0, 0, 1);
  g.to_canonical = shift * m;
  g.canonical_size = cv::Size(static_cast<int>(w), static_cast<int>(h));
}

namespace {

// Pixels darker than `fraction` of the paper in every channel (the max channel against
// its 90th percentile at 1/8 scale): black and dark-grey ink, not a coloured grid.
cv::Mat dark_in_every_channel(const cv::Mat& image, double fraction) {
  const cv::Mat maxch = channel_max(image);
  cv::Mat small;
  cv::resize(maxch, small, cv::Size(std::max(1, maxch.cols / 8), std::max(1, maxch.rows / 8)), 0, 0, cv::INTER_AREA);
  std::vector<uint8_t> v(small.begin<uint8_t>(), small.end<uint8_t>());
  const auto k = static_cast<std::ptrdiff_t>(0.9 * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return maxch < fraction * v[static_cast<size_t>(k)];
}

// Perspective: the affine frame's residual, read off the 5 mm lines. The grid signal is
// warped to the affine canonical frame and cut into tiles 40 mm wide, 20 mm apart; in
// each tile the phase of the 5 mm harmonic of the column and row profiles says where its
// vertical and horizontal lines sit modulo 5 mm. Unwrapped from the strongest tile
// outwards (each tile takes the 5 mm multiple nearest its unwrapped neighbour's), the
// phases are a displacement field d; the content at c + d belongs at c, and a homography
// fitted to those pairs (RANSAC, 1.5 px) is composed with the affine warp. Pages whose
// field is flat (spread under 0.5 px: no perspective) keep the affine warp.
void refine_perspective(const cv::Mat& image, const cv::Mat& g, PageGeometry& out) {
  // Read at half the canonical resolution (the 5 mm period stays about 20 px at 200 dpi).
  constexpr double kScale = 0.5;
  const double s = out.canonical_px_per_mm * kScale, period = 5 * s;
  // Ink (dark in every channel: the traces, their baselines, separators, text) is left out,
  // so only the coloured grid speaks; a grey grid dark enough to count as ink leaves too
  // few tiles and the page keeps the affine warp.
  cv::Mat grid = g.clone();
  grid.setTo(0, dark_in_every_channel(image, 0.6));
  cv::Mat gc;
  const cv::Matx33d half(kScale, 0, 0, 0, kScale, 0, 0, 0, 1);
  cv::warpPerspective(grid, gc, cv::Mat(half * out.to_canonical),
                      cv::Size(static_cast<int>(out.canonical_size.width * kScale),
                               static_cast<int>(out.canonical_size.height * kScale)),
                      cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
  const int tile = static_cast<int>(40 * s), step = static_cast<int>(20 * s);
  if (gc.cols < 2 * tile || gc.rows < 2 * tile) return;
  struct Tile {
    cv::Point2d centre, d;
    double strength = 0;
    bool done = false;
  };
  const int nx = (gc.cols - tile) / step + 1, ny = (gc.rows - tile) / step + 1;
  std::vector<Tile> tiles(static_cast<size_t>(nx * ny));
  std::vector<float> colp(static_cast<size_t>(tile)), rowp(static_cast<size_t>(tile));
  const double w = 2 * kPi / period;
  // The position of a line (mod period) in absolute coordinates, from the 5 mm harmonic.
  auto phase = [&](const std::vector<float>& prof, int origin, double* strength) {
    double re = 0, im = 0, sum = 0, mean = 0;
    for (float v : prof) mean += v;
    mean /= static_cast<double>(prof.size());
    for (size_t i = 0; i < prof.size(); ++i) {
      const double a = w * static_cast<double>(origin + static_cast<int>(i));
      const double v = prof[i] - mean;
      re += v * std::cos(a);
      im += v * std::sin(a);
      sum += std::abs(v);
    }
    *strength = sum > 0 ? 2 * std::hypot(re, im) / sum : 0;
    return std::atan2(im, re) / w;
  };
  for (int ty = 0; ty < ny; ++ty) {
    for (int tx = 0; tx < nx; ++tx) {
      const int x0 = tx * step, y0 = ty * step;
      std::fill(colp.begin(), colp.end(), 0.0f);
      std::fill(rowp.begin(), rowp.end(), 0.0f);
      for (int y = 0; y < tile; ++y) {
        const float* r = gc.ptr<float>(y0 + y) + x0;
        float row_sum = 0;
        for (int x = 0; x < tile; ++x) {
          colp[static_cast<size_t>(x)] += r[x];
          row_sum += r[x];
        }
        rowp[static_cast<size_t>(y)] = row_sum;
      }
      double sx = 0, sy = 0;
      Tile& t = tiles[static_cast<size_t>(ty * nx + tx)];
      t.centre = {x0 + 0.5 * tile, y0 + 0.5 * tile};
      t.d = {phase(colp, x0, &sx), phase(rowp, y0, &sy)};
      t.strength = std::min(sx, sy);
    }
  }
  // Unwrap from the strongest tile; tiles without a clear grid take no part.
  constexpr double kMinStrength = 0.3;
  size_t best = 0;
  for (size_t i = 0; i < tiles.size(); ++i)
    if (tiles[i].strength > tiles[best].strength) best = i;
  if (tiles[best].strength < kMinStrength) return;
  const cv::Point2d ref = tiles[best].d;
  auto wrap = [&](double v, double near) { return v + period * std::round((near - v) / period); };
  tiles[best].d = {0, 0};
  tiles[best].done = true;
  std::vector<size_t> queue = {best};
  const int steps[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
  for (size_t q = 0; q < queue.size(); ++q) {
    const int ty = static_cast<int>(queue[q]) / nx, tx = static_cast<int>(queue[q]) % nx;
    for (const auto& st : steps) {
      const int ux = tx + st[0], uy = ty + st[1];
      if (ux < 0 || uy < 0 || ux >= nx || uy >= ny) continue;
      Tile& u = tiles[static_cast<size_t>(uy * nx + ux)];
      if (u.done || u.strength < kMinStrength) continue;
      const cv::Point2d from = tiles[queue[q]].d;
      u.d = {wrap(u.d.x - ref.x, from.x), wrap(u.d.y - ref.y, from.y)};
      u.done = true;
      queue.push_back(static_cast<size_t>(uy * nx + ux));
    }
  }
  std::vector<cv::Point2f> src, dst;
  double lo_x = 1e300, hi_x = -1e300, lo_y = 1e300, hi_y = -1e300;
  for (const auto& t : tiles) {
    if (!t.done) continue;
    // Back in full canonical pixels.
    const cv::Point2d c = t.centre / kScale, d = t.d / kScale;
    src.emplace_back(static_cast<float>(c.x + d.x), static_cast<float>(c.y + d.y));
    dst.emplace_back(static_cast<float>(c.x), static_cast<float>(c.y));
    lo_x = std::min(lo_x, d.x), hi_x = std::max(hi_x, d.x);
    lo_y = std::min(lo_y, d.y), hi_y = std::max(hi_y, d.y);
  }
  const double spread = std::max(hi_x - lo_x, hi_y - lo_y);
  if (src.size() < 8 || spread < 0.5) return;
  std::vector<uint8_t> inliers;
  const cv::Mat h = cv::findHomography(src, dst, cv::RANSAC, 1.5, inliers);
  if (h.empty() || std::count(inliers.begin(), inliers.end(), uint8_t{1}) < 8) return;
  cv::Matx33d hm;
  for (int i = 0; i < 9; ++i) hm.val[i] = h.at<double>(i / 3, i % 3);
  // The homography must explain the field (a page with wrinkles or phase noise but no
  // perspective gives a field it does not): the inliers' rms residual under it under a
  // third of their rms spread about the mean displacement.
  double mx = 0, my = 0, n = 0;
  for (size_t i = 0; i < src.size(); ++i)
    if (inliers[i]) mx += src[i].x - dst[i].x, my += src[i].y - dst[i].y, n += 1;
  mx /= n, my /= n;
  double before = 0, after = 0;
  for (size_t i = 0; i < src.size(); ++i) {
    if (!inliers[i]) continue;
    before += std::pow(src[i].x - dst[i].x - mx, 2) + std::pow(src[i].y - dst[i].y - my, 2);
    const cv::Vec3d q = hm * cv::Vec3d(src[i].x, src[i].y, 1);
    after += std::pow(q[0] / q[2] - dst[i].x, 2) + std::pow(q[1] / q[2] - dst[i].y, 2);
  }
  if (after > before / 9) return;
  out.to_canonical = hm * out.to_canonical;
  out.perspective_px = spread;
}

}  // namespace

PageGeometry find_geometry(const cv::Mat& image, const GeometryOptions& o) {
  const cv::Mat g = grid_signal(image);
  PageGeometry out;
  out.input_size = image.size();
  std::vector<double> hc, vc;
  {
    const cv::Mat hs = stripe_profiles(g, /*horizontal=*/true, kSearchStripes, &hc);
    const cv::Mat vs = stripe_profiles(g, /*horizontal=*/false, kSearchStripes, &vc);
    out.angle_h_deg = best_angle(hs, hc, o.max_angle_deg);
    // Vertical lines x = c - y tan(a): profile along x, stripes along y, slope -tan(a).
    out.angle_v_deg = -best_angle(vs, vc, o.max_angle_deg);
  }
  const cv::Mat hs = stripe_profiles(g, /*horizontal=*/true, kProfileStripes, &hc);
  const cv::Mat vs = stripe_profiles(g, /*horizontal=*/false, kProfileStripes, &vc);
  const auto py = combined_profile(hs, hc, std::tan(out.angle_h_deg * kPi / 180));
  const auto px = combined_profile(vs, vc, -std::tan(out.angle_v_deg * kPi / 180));
  const double expected = std::max(image.cols, image.rows) / o.page_width_mm;  // the image showing a whole page
  const GridPeriod gy = find_grid_period(py, o.min_px_per_mm, o.max_px_per_mm, expected);
  const GridPeriod gx = find_grid_period(px, o.min_px_per_mm, o.max_px_per_mm, expected);
  if (gx.strength > 0 && gy.strength > 0 && std::abs(gx.period_px / gy.period_px - 1) < 0.15) {
    out.px_per_mm_x = gx.period_px;
    out.px_per_mm_y = gy.period_px;
    out.grid_strength = std::min(gx.strength, gy.strength);
    out.minor_lines = gx.minor && gy.minor;
    out.scale_source = "grid";
  } else if (gx.strength > 0 || gy.strength > 0) {
    // One axis only (the other's lines hidden or aliased): a square grid.
    const GridPeriod& one = gx.strength >= gy.strength ? gx : gy;
    out.px_per_mm_x = out.px_per_mm_y = one.period_px;
    out.grid_strength = one.strength;
    out.minor_lines = one.minor;
    out.scale_source = "grid";
  } else {
    const double long_side = std::max(image.cols, image.rows);
    out.px_per_mm_x = out.px_per_mm_y = long_side / o.page_width_mm;
    out.grid_strength = 0;
    out.scale_source = "page";
    out.angle_v_deg = out.angle_h_deg = 0;
  }
  set_canonical_transform(out, o.canonical_px_per_mm);
  if (out.scale_source == "grid" && o.perspective) refine_perspective(image, g, out);
  return out;
}

cv::Mat warp_to_canonical(const cv::Mat& image, const PageGeometry& g) {
  // Displacement of the corners against the identity: skip a warp that moves nothing.
  double worst = 0;
  for (double px : {0.0, static_cast<double>(image.cols)}) {
    for (double py : {0.0, static_cast<double>(image.rows)}) {
      const cv::Vec3d p = g.to_canonical * cv::Vec3d(px, py, 1);
      worst = std::max({worst, std::abs(p[0] / p[2] - px), std::abs(p[1] / p[2] - py)});
    }
  }
  if (worst < 0.1 && g.canonical_size == image.size()) return image;
  cv::Mat out;
  const cv::Scalar paper = image.channels() == 3 ? cv::Scalar(255, 255, 255) : cv::Scalar(255);
  cv::warpPerspective(image, out, cv::Mat(g.to_canonical), g.canonical_size, cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                      paper);
  return out;
}

}  // namespace ecg::digitize
