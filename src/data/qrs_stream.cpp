#include "data/qrs_stream.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace ecg::data {
namespace {

int64_t samples(double s, double fs_hz) {
  return std::max<int64_t>(1, std::llround(s * fs_hz));
}
int64_t odd(int64_t n) {
  return n | 1;
}

}  // namespace

StreamingQrsDetector::StreamingQrsDetector(double fs_hz) : fs_hz_(fs_hz) {
  ECG_CHECK(fs_hz >= 50, "QRS detector: fs_hz must be >= 50, got ", fs_hz);
  lp_len_ = samples(0.03, fs_hz);        // 6 samples at 200 Hz
  hp_len_ = odd(samples(0.16, fs_hz));   // 32 at 200 Hz, made odd for a whole-sample delay
  mwi_len_ = odd(samples(0.15, fs_hz));  // 150 ms
  refractory_ = samples(0.2, fs_hz);
  locate_ = samples(0.075, fs_hz);
  learn_ = samples(2.0, fs_hz);
  t_wave_ = samples(0.36, fs_hz);
  delay_bp_ = (lp_len_ - 1) + (hp_len_ - 1) / 2;
  delay_mwi_ = delay_bp_ + 2 + (mwi_len_ - 1) / 2;
  const auto ring = [](int64_t n) { return Ring{std::vector<double>(static_cast<size_t>(n), 0.0)}; };
  const int64_t history = refractory_ + mwi_len_ + 2 * locate_ + 16;
  x_ = ring(lp_len_ + 1);
  s1_ = ring(lp_len_ + 1);
  lp_ = ring(hp_len_ + 1);
  bp_ = ring(history);
  slope_ = ring(history);
  sq_ = ring(mwi_len_ + 1);
  mwi_ = ring(3);
}

void StreamingQrsDetector::push(const float* x, int64_t n, std::vector<int64_t>* peaks) {
  for (int64_t k = 0; k < n; ++k) step(static_cast<double>(x[k]), peaks);
}

void StreamingQrsDetector::step(double x, std::vector<int64_t>* peaks) {
  const int64_t i = n_;
  if (i == 0) {
    // As if x had always been this value: every stage starts in its steady state.
    for (auto& v : x_.v) v = x;
    for (auto& v : s1_.v) v = x * static_cast<double>(lp_len_);
    for (auto& v : lp_.v) v = x;
    s1_sum_ = x * static_cast<double>(lp_len_);
    s2_sum_ = s1_sum_ * static_cast<double>(lp_len_);
    hp_sum_ = x * static_cast<double>(hp_len_);
  }
  // Triangular low-pass: two moving sums of lp_len_ (delay lp_len_ - 1).
  s1_sum_ += x - x_.at(i + x_.v.size() - lp_len_);
  x_.set(i, x);
  s2_sum_ += s1_sum_ - s1_.at(i + s1_.v.size() - lp_len_);
  s1_.set(i, s1_sum_);
  const double lp = s2_sum_ / static_cast<double>(lp_len_ * lp_len_);
  // High-pass: the low-passed signal minus its moving mean (delay (hp_len_ - 1) / 2).
  hp_sum_ += lp - lp_.at(i + lp_.v.size() - hp_len_);
  lp_.set(i, lp);
  const double bp = lp_.at(i + lp_.v.size() - (hp_len_ - 1) / 2) - hp_sum_ / static_cast<double>(hp_len_);
  bp_.set(i, bp);
  // 5-point derivative (delay 2), squared, moving integration (delay (mwi_len_ - 1) / 2).
  const int64_t hb = static_cast<int64_t>(bp_.v.size());
  const double d = (i >= 4) ? (2 * bp + bp_.at(i - 1 + hb) - bp_.at(i - 3 + hb) - 2 * bp_.at(i - 4 + hb)) / 8.0 : 0.0;
  slope_.set(i, std::abs(d));
  const double sq = d * d;
  mwi_sum_ += sq - sq_.at(i + sq_.v.size() - mwi_len_);
  sq_.set(i, sq);
  const double mwi = std::max(0.0, mwi_sum_) / static_cast<double>(mwi_len_);
  mwi_.set(i, mwi);
  ++n_;
  if (!learned_) {
    learn_max_ = std::max(learn_max_, mwi);
    learn_sum_ += mwi;
  }
  // A local maximum at i - 1 opens a candidate or replaces the one within the refractory period.
  if (i >= 2 && mwi_.at(i - 1) > mwi_.at(i - 2) && mwi_.at(i - 1) >= mwi) {
    const int64_t c = i - 1;
    const double v = mwi_.at(i - 1);
    if (pending_.index >= 0 && c - pending_.index < refractory_) {
      if (v > pending_.value) {
        pending_.value = v;
        pending_.index = c;
      }
    } else {
      close_candidate(peaks);
      pending_.index = c;
      pending_.value = v;
    }
  }
  if (pending_.index >= 0 && i - pending_.index >= refractory_) close_candidate(peaks);
  if (!learned_ && n_ == learn_) end_learning(learn_, peaks);
}

// The pending candidate is final: its slope and R position are taken now, while the
// history holds them; the decision waits for the learning period.
void StreamingQrsDetector::close_candidate(std::vector<int64_t>* peaks) {
  if (pending_.index < 0) return;
  Candidate c = pending_;
  pending_ = Candidate{};
  const int64_t hb = static_cast<int64_t>(bp_.v.size());
  c.slope = 0;
  for (int64_t k = std::max<int64_t>(0, c.index - mwi_len_ + 1); k <= c.index; ++k)
    c.slope = std::max(c.slope, slope_.at(k + hb));
  // The band-passed sample k shows input time k - delay_bp_; the candidate, input time
  // index - delay_mwi_.
  const int64_t centre = c.index - delay_mwi_ + delay_bp_;
  int64_t best = std::max<int64_t>(0, centre - locate_);
  for (int64_t k = best; k <= std::min(n_ - 1, centre + locate_); ++k)
    if (std::abs(bp_.at(k + hb)) > std::abs(bp_.at(best + hb))) best = k;
  c.r_peak = std::max<int64_t>(0, best - delay_bp_);
  if (learned_) {
    decide(c, peaks);
  } else {
    queued_.push_back(c);
  }
}

void StreamingQrsDetector::end_learning(int64_t samples_seen, std::vector<int64_t>* peaks) {
  learned_ = true;
  spk_ = learn_max_ * 0.25;
  npk_ = samples_seen > 0 ? learn_sum_ / static_cast<double>(samples_seen) * 0.5 : 0;
  for (const auto& c : queued_) decide(c, peaks);
  queued_.clear();
  queued_.shrink_to_fit();
}

void StreamingQrsDetector::decide(const Candidate& c, std::vector<int64_t>* peaks) {
  double thr = npk_ + 0.25 * (spk_ - npk_);
  const bool have_beat = last_qrs_ >= 0;
  if (have_beat && rr_count_ >= 2 && static_cast<double>(c.index - last_qrs_) > 1.66 * rr_mean_) thr *= 0.5;
  bool qrs = c.value > thr;
  if (qrs && have_beat && c.index - last_qrs_ < t_wave_ && c.slope < 0.5 * last_slope_) qrs = false;
  if (!qrs) {
    npk_ = 0.125 * c.value + 0.875 * npk_;
    return;
  }
  if (have_beat) {
    const double rr = static_cast<double>(c.index - last_qrs_);
    const int64_t k = std::min<int64_t>(rr_count_, 7);
    rr_mean_ = rr_count_ == 0 ? rr : (rr_mean_ * static_cast<double>(k) + rr) / static_cast<double>(k + 1);
    ++rr_count_;
  }
  last_qrs_ = c.index;
  last_slope_ = c.slope;
  spk_ = 0.125 * c.value + 0.875 * spk_;
  if (last_peak_ < 0 || c.r_peak - last_peak_ >= refractory_ / 2) {
    peaks->push_back(c.r_peak);
    last_peak_ = c.r_peak;
  }
}

void StreamingQrsDetector::finish(std::vector<int64_t>* peaks) {
  close_candidate(peaks);
  if (!learned_) end_learning(n_, peaks);
}

std::vector<int64_t> stream_r_peaks(const torch::Tensor& lead, double fs_hz) {
  ECG_CHECK(lead.dim() == 1, "QRS detector: expected one lead [T], got ", lead.sizes());
  const auto x = lead.to(torch::kFloat32).contiguous();
  StreamingQrsDetector d(fs_hz);
  std::vector<int64_t> peaks;
  d.push(x.data_ptr<float>(), x.size(0), &peaks);
  d.finish(&peaks);
  return peaks;
}

}  // namespace ecg::data
