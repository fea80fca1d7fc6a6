// Search spaces, samplers (TPE beats random on the toy task), ASHA, sweep state.

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "core/error.h"
#include "sweep/asha.h"
#include "sweep/sampler.h"
#include "sweep/search_space.h"
#include "sweep/sweep_state.h"
#include "test_util.h"
#include "train/toy_task.h"

using namespace ecg::sweep;

namespace {

SearchSpace toy_space() {
  SearchSpace s;
  s.add(parse_param("toy.x=uniform(-2,2)", "t"));
  s.add(parse_param("toy.y=uniform(-2,2)", "t"));
  s.add(parse_param("optimizer.lr=loguniform(1e-5,1)", "t"));
  return s;
}

double toy(const SearchSpace& s, const std::vector<double>& x) {
  return ecg::train::toy_quality(s.params[0].to_value(x[0]), s.params[1].to_value(x[1]), s.params[2].to_value(x[2]));
}

/// Mean over seeds of the best toy quality found in `trials` trials.
double mean_best(const std::string& sampler, int trials, int seeds) {
  const SearchSpace s = toy_space();
  double total = 0;
  for (int seed = 0; seed < seeds; ++seed) {
    SamplerOptions o;
    o.seed = static_cast<uint64_t>(seed);
    const auto sm = make_sampler(sampler, s, o);
    std::vector<Observation> history;
    double best = -1e9;
    for (int k = 0; k < trials; ++k) {
      const auto x = sm->suggest(k, history);
      const double q = toy(s, x);
      history.push_back({x, -q});
      best = std::max(best, q);
    }
    total += best;
  }
  return total / seeds;
}

}  // namespace

TEST(SearchSpace, ParsesDistributionsAndNamesErrors) {
  Param p = parse_param("optimizer.lr=loguniform(1e-4, 1e-2)", "--param 1");
  EXPECT_EQ(p.path, "optimizer.lr");
  EXPECT_EQ(p.kind, Param::Kind::kLogUniform);
  EXPECT_DOUBLE_EQ(p.internal_low(), -4);
  EXPECT_DOUBLE_EQ(p.internal_high(), -2);
  EXPECT_EQ(p.format(p.to_value(-3)), "0.001");
  EXPECT_EQ(p.describe(), "loguniform(1e-04, 0.01)");
  p = parse_param("trainer.batch_size=int(8,64,log)", "x");
  EXPECT_EQ(p.kind, Param::Kind::kInt);
  EXPECT_TRUE(p.log);
  EXPECT_EQ(p.format(p.to_value(std::log10(20.4))), "20");
  p = parse_param("model.width=choice(16, 32, 64)", "x");
  EXPECT_EQ(p.choices, (std::vector<std::string>{"16", "32", "64"}));
  EXPECT_EQ(p.format(p.to_value(2)), "64");
  p = parse_param("model.widths=choice([16,32,64,128], [8, 16, 32, 64])", "x");
  EXPECT_EQ(p.choices, (std::vector<std::string>{"[16,32,64,128]", "[8, 16, 32, 64]"}));
  p = parse_param("loss.terms.1.weight=uniform(0,1)", "x");
  EXPECT_EQ(p.format(0.25), "0.25");
  EXPECT_ERROR_HAS(parse_param("optimizer.lr", "--param 2"), "--param 2: expected PATH=DISTRIBUTION");
  EXPECT_ERROR_HAS(parse_param("a=normal(0,1)", "--param 1"), "--param 1: 'a': unknown distribution 'normal'");
  EXPECT_ERROR_HAS(parse_param("a=loguniform(0,1)", "s"), "'a': loguniform needs low > 0, got 0");
  EXPECT_ERROR_HAS(parse_param("a=uniform(2,1)", "s"), "low 2 must be below high 1");
  EXPECT_ERROR_HAS(parse_param("a=int(1.5,4)", "s"), "int bounds must be whole numbers");
  EXPECT_ERROR_HAS(parse_param("a=uniform(0,x)", "s"), "expected a number, got 'x'");
  EXPECT_ERROR_HAS(parse_param("a=choice()", "s"), "choice needs at least one value");
  ecg::testing::TempDir d;
  d.write("space.yaml", "toy.x: uniform(0, 1)\ntoy.y: nope(1)\n");
  EXPECT_ERROR_HAS(parse_space_file(d / "space.yaml"), "space.yaml:2: 'toy.y': unknown distribution 'nope'");
  d.write("list.yaml", "- a\n");
  EXPECT_ERROR_HAS(parse_space_file(d / "list.yaml"), "expected a mapping 'path: distribution'");
  EXPECT_EQ(format_number(1e-5), "1e-05");
}

TEST(Sampler, GridIsTheCartesianProductInOrder) {
  SearchSpace s;
  s.add(parse_param("a=choice(x,y)", "t"));
  s.add(parse_param("b=uniform(0,1)", "t"));
  SamplerOptions o;
  o.grid_points = 3;
  const auto g = make_sampler("grid", s, o);
  ASSERT_EQ(g->size(), 6);
  std::vector<std::string> points;
  for (int k = 0; k < 6; ++k) {
    const auto x = g->suggest(k, {});
    points.push_back(s.params[0].format(s.params[0].to_value(x[0])) + "," +
                     s.params[1].format(s.params[1].to_value(x[1])));
  }
  EXPECT_EQ(points, (std::vector<std::string>{"x,0", "x,0.5", "x,1", "y,0", "y,0.5", "y,1"}));
  EXPECT_EQ(grid_values(parse_param("n=int(1,4)", "t"), 2), (std::vector<double>{1, 2, 3, 4}));
  const auto lr = grid_values(parse_param("lr=loguniform(1e-4,1e-2)", "t"), 3);
  ASSERT_EQ(lr.size(), 3u);
  EXPECT_NEAR(lr[1], -3, 1e-12);
  EXPECT_ERROR_HAS(g->suggest(6, {}), "past the grid's 6 points");
  EXPECT_ERROR_HAS(make_sampler("bayes", s, o), "unknown sampler 'bayes': expected grid, random or tpe");
}

TEST(Sampler, RandomIsSeededPerTrialAndInBounds) {
  SearchSpace s = toy_space();
  s.add(parse_param("n=int(8,64,log)", "t"));
  s.add(parse_param("c=choice(a,b,c)", "t"));
  SamplerOptions o;
  o.seed = 7;
  const auto r1 = make_sampler("random", s, o);
  const auto r2 = make_sampler("random", s, o);
  EXPECT_EQ(r1->suggest(3, {}), r2->suggest(3, {}));
  EXPECT_NE(r1->suggest(3, {}), r1->suggest(4, {}));
  o.seed = 8;
  EXPECT_NE(make_sampler("random", s, o)->suggest(3, {}), r1->suggest(3, {}));
  std::set<std::string> choices;
  for (int k = 0; k < 200; ++k) {
    const auto x = r1->suggest(k, {});
    EXPECT_GE(x[0], -2);
    EXPECT_LE(x[0], 2);
    EXPECT_GE(s.params[2].to_value(x[2]), 1e-5);
    const double n = s.params[3].to_value(x[3]);
    EXPECT_EQ(n, std::round(n));
    EXPECT_GE(n, 8);
    EXPECT_LE(n, 64);
    choices.insert(s.params[4].format(s.params[4].to_value(x[4])));
  }
  EXPECT_EQ(choices, (std::set<std::string>{"a", "b", "c"}));
}

TEST(Sampler, TpeBeatsRandomOnTheToyTaskAveragedOverSeeds) {
  const double random = mean_best("random", 40, 20);
  const double tpe = mean_best("tpe", 40, 20);
  // Measured: random 0.653, tpe 0.870 (the optimum is 1).
  EXPECT_GT(tpe, random + 0.1) << "tpe " << tpe << " random " << random;
  EXPECT_GT(tpe, 0.8);
}

TEST(Sampler, TpeIsDeterministicAndUsesTheHistory) {
  const SearchSpace s = toy_space();
  SamplerOptions o;
  o.seed = 3;
  o.startup = 5;
  const auto t = make_sampler("tpe", s, o);
  std::vector<Observation> h;
  for (int k = 0; k < 10; ++k) {
    const auto x = t->suggest(k, h);
    h.push_back({x, -toy(s, x)});
  }
  EXPECT_EQ(t->suggest(10, h), make_sampler("tpe", s, o)->suggest(10, h));
  // With good points only near x = 0.7, the suggestion's x lands nearby.
  std::vector<Observation> clustered;
  for (int i = 0; i < 30; ++i) {
    const double xv = -2 + 4.0 * i / 29.0;
    clustered.push_back({{xv, -0.3, -2}, std::abs(xv - 0.7)});
  }
  int near = 0;
  for (int k = 0; k < 20; ++k) near += std::abs(t->suggest(100 + k, clustered)[0] - 0.7) < 0.5;
  EXPECT_GE(near, 16);
}

TEST(Asha, RungsAndPromotion) {
  AshaOptions a{100, 3};
  EXPECT_EQ(a.rung_step(0), 100);
  EXPECT_EQ(a.rung_step(2), 900);
  EXPECT_EQ(a.rung_at(99), -1);
  EXPECT_EQ(a.rung_at(300), 1);
  EXPECT_EQ(a.rung_at(899), 1);
  EXPECT_TRUE(asha_keeps(0.5, {0.5}, 3, true));        // alone: kept
  EXPECT_FALSE(asha_keeps(0.4, {0.5, 0.4}, 3, true));  // fewer than eta: only the best goes on
  EXPECT_TRUE(asha_keeps(0.9, {0.5, 0.4, 0.9}, 3, true));
  EXPECT_FALSE(asha_keeps(0.8, {0.5, 0.8, 0.9}, 3, true));                // top third of 3 is one
  EXPECT_TRUE(asha_keeps(0.8, {0.5, 0.8, 0.9, 0.1, 0.2, 0.3}, 3, true));  // top 2 of 6
  EXPECT_TRUE(asha_keeps(0.1, {0.5, 0.1, 0.9}, 3, false));
}

TEST(SweepState, JsonRoundTripAndRanking) {
  SweepState s;
  s.spec.config = "/x/job.yaml";
  s.spec.space = toy_space();
  s.spec.metric = "val/toy";
  s.spec.mode = "max";
  s.spec.prune = true;
  auto trial = [](int64_t id, std::string status, std::optional<double> v) {
    Trial t;
    t.id = id;
    t.status = std::move(status);
    t.value = v;
    t.params = {{"toy.x", std::to_string(id)}, {"toy.y", "0"}, {"optimizer.lr", "0.01"}};
    t.x = {static_cast<double>(id), 0, -2};
    t.curve = {{10, v.value_or(0)}};
    t.value_step = 10;
    return t;
  };
  s.trials = {trial(0, "completed", 0.5), trial(1, "pruned", 0.9), trial(2, "failed", std::nullopt),
              trial(3, "completed", 0.7)};
  s.trials[1].pruned_at_step = 30;
  s.trials[1].rungs = {{0, 0.2}, {1, 0.9}};
  s.trials[2].exit_status = 1;
  const SweepState back = state_from_json(state_to_json(s), "sweep.json");
  EXPECT_EQ(state_to_json(back), state_to_json(s));
  const auto r = ranked(s);
  EXPECT_EQ(r[0]->id, 3);
  EXPECT_EQ(r[1]->id, 0);
  EXPECT_EQ(r[2]->id, 1);
  EXPECT_EQ(r[3]->id, 2);
  const std::string md = results_markdown(s);
  EXPECT_NE(md.find("| rank | trial | status | val/toy | step | toy.x | toy.y | optimizer.lr |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| 1 | 3 | completed | 0.7 | 10 | 3 | 0 | 0.01 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 3 | 1 | pruned @30 | 0.9 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 4 | 2 | failed (exit 1) |  |  |"), std::string::npos) << md;
  EXPECT_ERROR_HAS(state_from_json({{"format", "ecgtorch-sweep"}, {"version", 2}}, "s.json"),
                   "s.json: sweep state version 2");
}

TEST(ToyTask, KnownOptimum) {
  EXPECT_DOUBLE_EQ(ecg::train::toy_quality(0.7, -0.3, 1e-2), 1.0);
  EXPECT_NEAR(ecg::train::toy_quality(0.7, -0.3, 1e-3), 0.75, 1e-12);
  EXPECT_LT(ecg::train::toy_quality(0.8, -0.3, 1e-2), 1.0);
}
