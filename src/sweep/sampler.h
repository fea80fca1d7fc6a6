#pragma once
// Samplers: which point of the search space trial k tries. All are deterministic: the
// point depends only on (seed, k) and, for TPE, on the history it is given.
//
// Points are in internal coordinates, one per parameter (see Param::internal_low):
// log10 for log scales, the index for choices.
//
// - grid: the cartesian product in a fixed order (choice: every value; int: every
//   integer when there are at most 50, else grid_points; real: grid_points evenly, on a
//   log scale for loguniform). Trial k is the k-th point.
// - random: independent uniform draws in the internal coordinates.
// - tpe (Bergstra et al. 2011): after `startup` random trials, the finished trials are
//   split at the quantile gamma into good and bad; per parameter a Parzen estimator
//   l(x) (good) and g(x) (bad) is built (truncated Gaussians with hyperopt's adaptive
//   bandwidths plus a prior component; categorical counts plus one for choices), and of
//   `candidates` draws from l the one with the largest l(x)/g(x) is taken.
//
//   auto s = make_sampler("tpe", space, {.seed = 1});
//   std::vector<double> x = s->suggest(k, history);

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sweep/search_space.h"

namespace ecg::sweep {

/// A finished trial as samplers see it: its point and its objective (to minimise;
/// callers negate a metric that is maximised).
struct Observation {
  std::vector<double> x;
  double loss = 0;
};

struct SamplerOptions {
  uint64_t seed = 0;
  int64_t grid_points = 5;
  int64_t startup = 10;     // tpe: random trials first
  double gamma = 0.25;      // tpe: share of trials called good
  int64_t candidates = 24;  // tpe: draws from l(x) per parameter
};

class Sampler {
 public:
  virtual ~Sampler() = default;
  virtual std::vector<double> suggest(int64_t trial, const std::vector<Observation>& history) const = 0;
  /// Trials the sampler can give; -1: unbounded.
  virtual int64_t size() const { return -1; }
};

/// name: grid | random | tpe. Throws ecg::Error for another name.
std::unique_ptr<Sampler> make_sampler(const std::string& name, const SearchSpace& space, const SamplerOptions& options);

/// The grid's values of one parameter, in internal coordinates.
std::vector<double> grid_values(const Param& p, int64_t grid_points);

}  // namespace ecg::sweep
