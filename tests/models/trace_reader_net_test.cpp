#include "models/trace_reader_net.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "losses/strip_trace_losses.h"
#include "model_test_util.h"

namespace ecg::models {
namespace {

using testing::make;

TEST(TraceReaderNet, ShapesAndSaveLoad) {
  torch::manual_seed(0);
  const std::string spec = "name: trace_reader\nwidths: [4, 8, 8]";
  auto m = make(spec);
  EXPECT_EQ(m->forward(torch::rand({2, 2, 32, 48})).sizes(), (std::vector<int64_t>{2, 33, 48}));
  EXPECT_EQ(m->example_inputs(1)[0].sizes(), (std::vector<int64_t>{1, 2, 128, 1024}));
  testing::expect_save_load_identical(m, spec, torch::rand({1, 2, 32, 64}));
  EXPECT_ERROR_HAS(m->forward(torch::rand({1, 3, 32, 48})),
                   "trace_reader: expected [batch, 2, H, W], got [1, 3, 32, 48]");
  EXPECT_ERROR_HAS(make("name: trace_reader\nwidths: [4]"), "trace_reader: widths needs at least 2 stages, got 1");
}

// A dark sinusoid of one pixel per column on a 32-row strip with a second, flat trace
// (a neighbour) at row 28: the reader learns to follow the sinusoid to within 0.3 rows
// and to be confident only where it is drawn.
TEST(TraceReaderNet, OverfitsAStrip) {
  torch::manual_seed(1);
  const int64_t h = 32, w = 64;
  auto x = torch::zeros({2, 2, h, w});
  auto t = torch::full({2, 3, w}, NAN);
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t c = 0; c < w; ++c) {
      x[b][0][28][c] = 1;
      x[b][1][28][c] = 1;
      if (c >= 56) continue;  // the trace ends
      const double y = 14 + 7 * std::sin(0.25 * static_cast<double>(c) + 1.3 * static_cast<double>(b));
      const auto r = static_cast<int64_t>(std::lround(y));
      x[b][0][r][c] = 1;
      x[b][1][r][c] = 1;
      t[b][0][c] = static_cast<float>(r);
      t[b][1][c] = static_cast<float>((14.0 - static_cast<double>(r)) / 4.0);
      t[b][2][c] = 4.0f;
    }
  }
  auto m = make("name: trace_reader\nwidths: [8, 16]");
  losses::StripGaussianCe ce(losses::StripGaussianCeOptions{});
  losses::StripConfidence conf(losses::StripConfidenceOptions{});
  torch::optim::Adam opt(m->parameters(), torch::optim::AdamOptions(1e-2));
  for (int step = 0; step < 150; ++step) {
    opt.zero_grad();
    const auto pred = m->forward(x);
    const auto loss = ce.forward(pred, t) + conf.forward(pred, t);
    loss.backward();
    opt.step();
  }
  m->eval();
  torch::NoGradGuard no_grad;
  const auto pred = m->forward(x);
  const auto rows = losses::strip_rows(pred, 2);
  const auto valid = torch::isfinite(t.select(1, 0));
  const auto err = (rows - t.select(1, 0)).abs().masked_select(valid);
  EXPECT_LT(err.mean().item<double>(), 0.3);
  const auto c = losses::strip_confidence(pred);
  EXPECT_GT(c.masked_select(valid).min().item<double>(), 0.5);
  EXPECT_LT(c.masked_select(~valid).max().item<double>(), 0.5);
}

// Two traces that look the same, at rows 20 and 44 of a 64-row strip, further from the
// strip's edges and from each other than the small network sees: only the coordinate
// channel tells the target (row 20, this row's own) from its twin.
TEST(TraceReaderNet, CoordinateChannelTellsATraceByItsPlace) {
  const int64_t h = 64, w = 32;
  auto x = torch::zeros({1, 2, h, w});
  x.narrow(2, 20, 1).fill_(1);
  x.narrow(2, 44, 1).fill_(1);
  auto t = torch::zeros({1, 3, w});
  t.select(1, 0).fill_(20);
  t.select(1, 2).fill_(4);
  auto mean_error = [&](const std::string& spec) {
    torch::manual_seed(3);
    auto m = make(spec);
    losses::StripGaussianCe ce(losses::StripGaussianCeOptions{});
    torch::optim::Adam opt(m->parameters(), torch::optim::AdamOptions(1e-2));
    for (int step = 0; step < 100; ++step) {
      opt.zero_grad();
      ce.forward(m->forward(x), t).backward();
      opt.step();
    }
    m->eval();
    torch::NoGradGuard no_grad;
    return (losses::strip_rows(m->forward(x), 0) - 20).abs().mean().item<double>();
  };
  EXPECT_LT(mean_error("name: trace_reader\nwidths: [4, 8]"), 0.5);
  EXPECT_GT(mean_error("name: trace_reader\nwidths: [4, 8]\ncoordinate_channel: false"), 2.0);
}

}  // namespace
}  // namespace ecg::models
