// Row strips: the cutter's pixel mapping, the targets' alignment with the ink they were
// cut from, the trace_strips dataset, and the learned reader's plumbing.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include <opencv2/imgproc.hpp>

#include "core/yaml_io.h"
#include "digitize/ink_map.h"
#include "digitize/learned_reader.h"
#include "digitize/strip_cutter.h"
#include "digitize/strip_targets.h"
#include "test_util.h"
#include "train/registries.h"

namespace ecg::digitize {
namespace {

constexpr double kPxPerMm = 200.0 / 25.4;

// A white page with a 2 px black line along rows 299-300 (centre 299.5) from x 50 to 399,
// and a 1 px vertical tick at x 150, y 200-280; one row laid out at zero 299.5, t = 0 at
// x 100, 2 s long.
struct LinePage {
  cv::Mat bgr = cv::Mat(600, 800, CV_8UC3, cv::Scalar(255, 255, 255));
  InkMap ink;
  FoundLayout layout;
  LinePage() {
    bgr.rowRange(299, 301).colRange(50, 400).setTo(cv::Scalar(0, 0, 0));
    bgr.rowRange(200, 281).col(150).setTo(cv::Scalar(0, 0, 0));
    ink = find_ink(bgr, kPxPerMm);
    layout.name = "rows-1";
    layout.px_per_mm = kPxPerMm;
    layout.speed_mm_s = 25;
    layout.strip_s = 2;
    RowFinding r;
    r.zero_px = r.y_px = 299.5;
    r.x0_px = 100;
    layout.rows.push_back(r);
  }
};

TEST(StripCutter, MapsRowsAndColumnsExactly) {
  const LinePage p;
  StripOptions o;
  o.height_px = 64;
  const auto strips = cut_strips(p.bgr, p.ink, p.layout, o);
  ASSERT_EQ(strips.size(), 1u);
  const Strip& s = strips[0];
  EXPECT_EQ(s.image.sizes(), (std::vector<int64_t>{2, 64, 1000}));
  EXPECT_NEAR(s.x_step_px, 25 * kPxPerMm / 500, 1e-12);
  EXPECT_NEAR(s.y_step_px, 2.5 * 40 * kPxPerMm / 64, 1e-12);  // one row: the 40 mm pitch
  EXPECT_NEAR(s.strip_row(299.5), 31.5, 1e-12);               // the zero line is the strip's middle
  // Area resampling keeps the ink: over the rows, grey * step integrates the 2 px line.
  const auto grey = s.image[1];
  const int64_t c = 300;  // x = 100 + 300 * 0.3937 = 218.1, on the line only
  EXPECT_NEAR(grey.select(1, c).sum().item<double>() * s.y_step_px, 2.0, 1e-4);
  // Its darkness-weighted centre row is the line's centre.
  const auto col = grey.select(1, c);
  const double centre = (col * torch::arange(64, torch::kFloat)).sum().item<double>() / col.sum().item<double>();
  EXPECT_NEAR(s.y_canonical(centre), 299.5, 0.05);
  // The tick at x 150 peaks at column (150 - 100) / step = 127.0, above the line.
  const auto above = grey.narrow(0, 0, 28).sum(0);
  EXPECT_EQ(above.argmax().item<int64_t>(), 127);
  // Past the line's end (x 400: column 762) the strip is paper.
  EXPECT_EQ(grey.narrow(1, 770, 230).sum().item<double>(), 0.0);
  EXPECT_GT(grey.narrow(1, 740, 20).sum().item<double>(), 0.0);
  // A row running off the page's right edge reads paper there.
  FoundLayout off = p.layout;
  off.rows[0].x0_px = 300;  // columns past (800 - 300) / 0.3937 = 1270 would be off the page
  off.strip_s = 3;
  const auto o3 = cut_strips(p.bgr, p.ink, off, o);
  EXPECT_EQ(o3[0].image.size(2), 1500);
  EXPECT_EQ(o3[0].image.narrow(2, 1280, 220).abs().sum().item<double>(), 0.0);
  EXPECT_GT(o3[0].image[1].narrow(1, 0, 200).sum().item<double>(), 0.0);
}

TEST(StripCutter, RejectsBadInput) {
  const LinePage p;
  StripOptions o;
  o.height_px = 8;
  EXPECT_ERROR_HAS(cut_strips(p.bgr, p.ink, p.layout, o), "cut_strips: height_px must be >= 16, got 8");
  EXPECT_ERROR_HAS(cut_strips(cv::Mat(), p.ink, p.layout, StripOptions{}), "cut_strips: the canonical page must be");
  InkMap small = p.ink;
  small.darkness = small.darkness.rowRange(0, 10).clone();
  EXPECT_ERROR_HAS(cut_strips(p.bgr, small, p.layout, StripOptions{}), "the ink map must be CV_32F of the page's size");
}

// A network that "reads" the ink channel: logits 50 x ink / the column's darkest, confident
// where a column has ink.
torch::Tensor ink_net(const torch::Tensor& x) {
  const auto ink = x.select(1, 0);  // [B, H, W]
  const auto conf = torch::where(ink.sum(1, true) > 0.01, torch::full_like(ink.sum(1, true), 10),
                                 torch::full_like(ink.sum(1, true), -10));
  return torch::cat({50 * ink / (ink.amax(1, true) + 1e-6), conf}, 1);
}

TEST(LearnedReader, ReadsWhatTheNetworkPointsAtInCanonicalPixels) {
  const LinePage p;
  LearnedReaderOptions o;
  o.strip.height_px = 64;
  o.stride = 8;
  const LearnedReader reader(ink_net, o);
  const auto traces = reader.read(PageView{p.bgr, p.ink, p.layout});
  ASSERT_EQ(traces.size(), 1u);
  const auto& t = traces[0];
  // Columns 0 .. 761 hold the line (x 100 .. 399.9); past it no column is confident.
  ASSERT_GT(t.x_px.size(), 740u);
  EXPECT_LT(t.x_px.back(), 401.0);
  EXPECT_NEAR(t.x_px.front(), 100.0, 1e-9);
  int off = 0;
  for (size_t i = 0; i < t.x_px.size(); ++i) {
    if (std::abs(t.x_px[i] - 150) < 3) continue;  // the tick above the line wins there
    off += std::abs(t.y_px[i] - 299.5) > 0.02;
    EXPECT_GT(t.confidence[i], 0.99);
  }
  EXPECT_EQ(off, 0);
}

// A fallback that reads a flat line at y 310 from x 100 to 500, one point per px.
class FlatReader : public TraceReader {
 public:
  std::string name() const override { return "flat"; }
  std::vector<RowTrace> read(const PageView& page) const override {
    std::vector<RowTrace> out(page.layout.rows.size());
    for (auto& t : out) {
      for (int x = 100; x <= 500; ++x) {
        t.x_px.push_back(x);
        t.y_px.push_back(310 + 0.01 * (x - 100));
        t.confidence.push_back(x == 450 ? 0.0f : 0.75f);  // one point it interpolated itself
      }
    }
    return out;
  }
};

// The columns the network is unsure of (past the line's end at x 400) take the fallback's
// line, interpolated between its points; next to a point it did not read they stay empty.
TEST(LearnedReader, UnsureColumnsTakeTheFallbacksTrace) {
  const LinePage p;
  LearnedReaderOptions o;
  o.strip.height_px = 64;
  o.stride = 8;
  o.fallback = std::make_shared<FlatReader>();
  const LearnedReader reader(ink_net, o);
  const auto t = reader.read(PageView{p.bgr, p.ink, p.layout})[0];
  int64_t own = 0, taken = 0;
  for (size_t i = 0; i < t.x_px.size(); ++i) {
    const double x = t.x_px[i];
    if (t.confidence[i] > 0.99) {  // the network's own
      ++own;
      EXPECT_LE(x, 400.5);
      if (std::abs(x - 150) >= 3) EXPECT_NEAR(t.y_px[i], 299.5, 0.02);
      continue;
    }
    ++taken;
    EXPECT_GT(x, 400.0);
    EXPECT_LE(x, 500.0);
    EXPECT_FALSE(std::abs(x - 450) < 1) << x;  // either side of the fallback's own gap
    EXPECT_NEAR(t.y_px[i], 310 + 0.01 * (x - 100), 1e-9);
    EXPECT_EQ(t.confidence[i], 0.75f);
  }
  EXPECT_GT(own, 740);
  EXPECT_EQ(own + taken, static_cast<int64_t>(t.x_px.size()));
  // Columns 764 .. 999 (x 400.8 .. 493.3 at 0.3937 px per column), less the 5 within 1 px
  // of x 450.
  EXPECT_EQ(taken, 236 - 5);
  // fallback_beyond_mm: where the two are further apart than that, the fallback's point.
  // They are 10.5 .. 13.5 px apart: more than 1 mm, less than 2 mm.
  for (const double mm : {1.0, 2.0}) {
    o.fallback_beyond_mm = mm;
    const auto u = LearnedReader(ink_net, o).read(PageView{p.bgr, p.ink, p.layout})[0];
    int64_t fallback_points = 0;
    for (size_t i = 0; i < u.x_px.size(); ++i) fallback_points += u.confidence[i] == 0.75f;
    // 2 mm: where the network is unsure, and the 7 columns of the tick above the line
    // (x 150), where the network reads the tick, more than 2 mm from the fallback.
    EXPECT_EQ(fallback_points, mm * kPxPerMm < 10.5 ? static_cast<int64_t>(u.x_px.size()) : taken + 7) << mm;
  }
}

TEST(LearnedReader, RejectsAMisfitNetwork) {
  LearnedReaderOptions o;
  o.strip.height_px = 60;
  EXPECT_ERROR_HAS(LearnedReader(ink_net, o), "strip height 60 is not a multiple of the network's stride 8");
  o.strip.height_px = 64;
  const LinePage p;
  const LearnedReader bad([](const torch::Tensor& x) { return x.select(1, 0); }, o);
  EXPECT_ERROR_HAS(bad.read(PageView{p.bgr, p.ink, p.layout}), "learned reader: the network gave [1, 64, 1000]");
}

std::shared_ptr<data::Dataset> strips_dataset(const std::string& yaml) {
  static const auto regs = train::make_builtin_registries();
  return regs->datasets.create(config::parse_yaml(yaml, "data"), "data");
}

// The targets lie on the ink they were cut from: in each column with a target, the ink
// channel's centre near the target is the target (the strips and the truth share one
// mapping), on a clean page and on a rotated, noisy one.
TEST(TraceStrips, TargetsLieOnTheTraceInk) {
  for (const std::string preset : {"clean", "scan"}) {
    SCOPED_TRACE(preset);
    const auto ds = strips_dataset("{name: trace_strips, preset: " + preset +
                                   ", seed: 5, window_s: 1.5, height_px: 256, rows_per_page: 2}");
    for (int64_t i = 0; i < 4; ++i) {
      const auto ex = ds->get(i);
      ASSERT_EQ(ex.input.sizes(), (std::vector<int64_t>{2, 256, 750}));
      ASSERT_EQ(ex.target.sizes(), (std::vector<int64_t>{3, 750}));
      const auto row = ex.target[0];
      const auto ink = ex.input[0];
      int64_t n = 0, near = 0;
      for (int64_t c = 0; c < 750; ++c) {
        const float y = row[c].item<float>();
        if (!std::isfinite(y)) continue;
        ++n;
        EXPECT_GE(y, 0);  // a trace beyond the strip's edge has no target
        EXPECT_LE(y, 255);
        const int64_t lo = std::max<int64_t>(0, std::lround(y) - 3), hi = std::min<int64_t>(255, std::lround(y) + 3);
        const auto w = ink.select(1, c).slice(0, lo, hi + 1);
        const double centre = (w * torch::arange(lo, hi + 1, torch::kFloat)).sum().item<double>() /
                              std::max(1e-6, w.sum().item<double>());
        near += std::abs(centre - y) < 0.75;
      }
      EXPECT_GT(n, 600) << "example " << i;
      EXPECT_GT(static_cast<double>(near) / static_cast<double>(n), 0.9) << "example " << i;
      // mV and rows per mV agree with the strip scale: 10 mm/mV at 7.874 px/mm.
      int64_t c0 = 0;
      while (c0 < 749 && !std::isfinite(row[c0].item<float>())) ++c0;
      const float r = ex.target[2][c0].item<float>();
      EXPECT_GT(r, 20);  // 10 mm/mV over 2.5 row pitches of ~36 mm in 256 rows: about 28
      EXPECT_LT(r, 40);
      EXPECT_NEAR(r * ex.target[1][c0].item<float>(),
                  ex.extras.at("baseline_row").item<float>() - row[c0].item<float>(), 1e-3);
    }
    // Deterministic per index; consecutive indices share the page.
    EXPECT_TRUE(torch::equal(ds->get(3).input, ds->get(3).input));
    EXPECT_EQ(ds->get(2).extras.at("page").item<int64_t>(), ds->get(3).extras.at("page").item<int64_t>());
  }
}

TEST(TraceStrips, RejectsBadOptions) {
  EXPECT_ERROR_HAS(strips_dataset("{name: trace_strips, height_px: 8}"), "height_px");
  EXPECT_ERROR_HAS(strips_dataset("{name: trace_strips, preset: nope}"), "trace_strips: preset 'nope' not found");
}

}  // namespace
}  // namespace ecg::digitize
