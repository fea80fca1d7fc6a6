#include "sweep/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/error.h"

namespace ecg::sweep {
namespace {

/// A generator for trial k alone (SplitMix64 of seed and k).
std::mt19937_64 trial_rng(uint64_t seed, int64_t trial, uint64_t stream) {
  uint64_t z = seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(trial) * 0xBF58476D1CE4E5B9ull + stream;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return std::mt19937_64(z ^ (z >> 31));
}

double draw_uniform(const Param& p, std::mt19937_64& rng) {
  if (p.kind == Param::Kind::kChoice) {
    return static_cast<double>(std::uniform_int_distribution<size_t>(0, p.choices.size() - 1)(rng));
  }
  const double x = std::uniform_real_distribution<double>(p.internal_low(), p.internal_high())(rng);
  return p.to_internal(p.to_value(x));  // ints land on whole values
}

class GridSampler : public Sampler {
 public:
  GridSampler(const SearchSpace& space, int64_t points) {
    for (const auto& p : space.params) values_.push_back(grid_values(p, points));
  }
  std::vector<double> suggest(int64_t trial, const std::vector<Observation>&) const override {
    ECG_CHECK(trial < size(), "grid: trial ", trial, " is past the grid's ", size(), " points");
    std::vector<double> x(values_.size());
    int64_t k = trial;
    for (size_t i = values_.size(); i-- > 0;) {  // the last parameter varies fastest
      const auto n = static_cast<int64_t>(values_[i].size());
      x[i] = values_[i][static_cast<size_t>(k % n)];
      k /= n;
    }
    return x;
  }
  int64_t size() const override {
    int64_t n = 1;
    for (const auto& v : values_) n *= static_cast<int64_t>(v.size());
    return n;
  }

 private:
  std::vector<std::vector<double>> values_;
};

class RandomSampler : public Sampler {
 public:
  RandomSampler(SearchSpace space, uint64_t seed) : space_(std::move(space)), seed_(seed) {}
  std::vector<double> suggest(int64_t trial, const std::vector<Observation>&) const override {
    auto rng = trial_rng(seed_, trial, 1);
    std::vector<double> x;
    for (const auto& p : space_.params) x.push_back(draw_uniform(p, rng));
    return x;
  }

 private:
  SearchSpace space_;
  uint64_t seed_;
};

/// A mixture of Gaussians truncated to [low, high], equal weights.
struct Parzen {
  std::vector<double> mu, sigma;
  double low = 0, high = 1;

  static Parzen fit(const std::vector<double>& observed, double low, double high) {
    Parzen e;
    e.low = low;
    e.high = high;
    const double range = high - low;
    std::vector<std::pair<double, bool>> points;  // (value, is the prior)
    for (double v : observed) points.push_back({v, false});
    points.push_back({0.5 * (low + high), true});
    std::sort(points.begin(), points.end());
    const size_t n = points.size();
    const double min_sigma = range / std::min(100.0, 1.0 + static_cast<double>(n));
    for (size_t i = 0; i < n; ++i) {
      double s = range;  // the prior keeps the full width
      if (!points[i].second && n > 1) {
        const double left = i > 0 ? points[i].first - points[i - 1].first : points[1].first - points[0].first;
        const double right =
            i + 1 < n ? points[i + 1].first - points[i].first : points[n - 1].first - points[n - 2].first;
        s = std::clamp(std::max(left, right), min_sigma, range);
      }
      e.mu.push_back(points[i].first);
      e.sigma.push_back(s);
    }
    return e;
  }

  static double cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

  double log_pdf(double x) const {
    double p = 0;
    for (size_t i = 0; i < mu.size(); ++i) {
      const double z = (x - mu[i]) / sigma[i];
      const double mass = cdf((high - mu[i]) / sigma[i]) - cdf((low - mu[i]) / sigma[i]);
      p += std::exp(-0.5 * z * z) / (sigma[i] * std::sqrt(2 * M_PI) * std::max(mass, 1e-12));
    }
    return std::log(std::max(p / static_cast<double>(mu.size()), 1e-300));
  }

  double sample(std::mt19937_64& rng) const {
    const size_t i = std::uniform_int_distribution<size_t>(0, mu.size() - 1)(rng);
    std::normal_distribution<double> g(mu[i], sigma[i]);
    for (int tries = 0; tries < 100; ++tries) {
      const double x = g(rng);
      if (x >= low && x <= high) return x;
    }
    return std::clamp(mu[i], low, high);
  }
};

class TpeSampler : public Sampler {
 public:
  TpeSampler(SearchSpace space, SamplerOptions o) : space_(std::move(space)), o_(o) {}

  std::vector<double> suggest(int64_t trial, const std::vector<Observation>& history) const override {
    auto rng = trial_rng(o_.seed, trial, 2);
    if (static_cast<int64_t>(history.size()) < std::max<int64_t>(o_.startup, 2)) {
      std::vector<double> x;
      for (const auto& p : space_.params) x.push_back(draw_uniform(p, rng));
      return x;
    }
    std::vector<size_t> order(history.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return history[a].loss < history[b].loss; });
    const size_t n_good = std::clamp<size_t>(
        static_cast<size_t>(std::ceil(o_.gamma * static_cast<double>(history.size()))), 1, history.size() - 1);
    std::vector<double> x;
    for (size_t d = 0; d < space_.params.size(); ++d) {
      const Param& p = space_.params[d];
      std::vector<double> good, bad;
      for (size_t r = 0; r < order.size(); ++r) (r < n_good ? good : bad).push_back(history[order[r]].x.at(d));
      if (p.kind == Param::Kind::kChoice) {
        x.push_back(suggest_choice(p, good, bad, rng));
        continue;
      }
      const Parzen l = Parzen::fit(good, p.internal_low(), p.internal_high());
      const Parzen g = Parzen::fit(bad, p.internal_low(), p.internal_high());
      double best = 0, best_score = -INFINITY;
      for (int64_t c = 0; c < o_.candidates; ++c) {
        const double v = l.sample(rng);
        const double score = l.log_pdf(v) - g.log_pdf(v);
        if (score > best_score) {
          best_score = score;
          best = v;
        }
      }
      x.push_back(p.to_internal(p.to_value(best)));
    }
    return x;
  }

 private:
  double suggest_choice(const Param& p, const std::vector<double>& good, const std::vector<double>& bad,
                        std::mt19937_64& rng) const {
    const size_t n = p.choices.size();
    std::vector<double> l(n, 1.0), g(n, 1.0);  // one prior count each
    for (double v : good) l[static_cast<size_t>(v)] += 1;
    for (double v : bad) g[static_cast<size_t>(v)] += 1;
    const double sl = std::accumulate(l.begin(), l.end(), 0.0), sg = std::accumulate(g.begin(), g.end(), 0.0);
    std::discrete_distribution<size_t> draw(l.begin(), l.end());
    size_t best = 0;
    double best_score = -INFINITY;
    for (int64_t c = 0; c < o_.candidates; ++c) {
      const size_t k = draw(rng);
      const double score = std::log(l[k] / sl) - std::log(g[k] / sg);
      if (score > best_score) {
        best_score = score;
        best = k;
      }
    }
    return static_cast<double>(best);
  }

  SearchSpace space_;
  SamplerOptions o_;
};

}  // namespace

std::vector<double> grid_values(const Param& p, int64_t points) {
  ECG_CHECK(points >= 2, "grid: grid_points must be >= 2, got ", points);
  std::vector<double> out;
  switch (p.kind) {
    case Param::Kind::kChoice:
      for (size_t i = 0; i < p.choices.size(); ++i) out.push_back(static_cast<double>(i));
      return out;
    case Param::Kind::kInt:
      if (p.high - p.low + 1 <= 50 && !p.log) {
        for (double v = p.low; v <= p.high; v += 1) out.push_back(v);
        return out;
      }
      [[fallthrough]];
    default: {
      const double a = p.to_internal(p.low), b = p.to_internal(p.high);
      for (int64_t i = 0; i < points; ++i) {
        const double v =
            p.to_internal(p.to_value(a + (b - a) * static_cast<double>(i) / static_cast<double>(points - 1)));
        if (out.empty() || v != out.back()) out.push_back(v);
      }
      return out;
    }
  }
}

std::unique_ptr<Sampler> make_sampler(const std::string& name, const SearchSpace& space, const SamplerOptions& o) {
  ECG_CHECK(!space.params.empty(), "sweep: the search space is empty (give --space or --param)");
  if (name == "grid") return std::make_unique<GridSampler>(space, o.grid_points);
  if (name == "random") return std::make_unique<RandomSampler>(space, o.seed);
  if (name == "tpe") {
    ECG_CHECK(o.gamma > 0 && o.gamma < 1, "tpe: gamma must be in (0, 1), got ", o.gamma);
    return std::make_unique<TpeSampler>(space, o);
  }
  throw Error(str("unknown sampler '", name, "': expected grid, random or tpe"));
}

}  // namespace ecg::sweep
