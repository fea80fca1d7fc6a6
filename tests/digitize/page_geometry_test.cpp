// Page geometry and layout on our own rendered pages, whose truth is exact: the grid
// scale, the rotation (and the shear of a skewed scan), and where each panel starts.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include <opencv2/imgproc.hpp>

#include "core/config_loader.h"
#include "data/synth.h"
#include "digitize/ink_map.h"
#include "digitize/layout_finder.h"
#include "digitize/page_geometry.h"
#include "digitize/page_reader.h"
#include "render/artefact.h"
#include "render/page_renderer.h"
#include "render/synth_job.h"
#include "test_util.h"

namespace ecg::digitize {
namespace {

using render::Page;

const data::Record& synth_record() {
  static const data::Record r = data::synthesize(data::synth_class_options("sinus", 7)).record;
  return r;
}

cv::Point2d apply(const cv::Matx33d& h, cv::Point2d p) {
  const cv::Vec3d v = h * cv::Vec3d(p.x, p.y, 1);
  return {v[0] / v[2], v[1] / v[2]};
}

// The truth of a page whose homography is affine: the angle of its horizontal and
// vertical lines and the grid period along their normals.
struct AffineTruth {
  double angle_h_deg, angle_v_deg, px_per_mm_x, px_per_mm_y;
};

AffineTruth affine_truth(const Page& p) {
  const cv::Matx33d& h = p.truth.homography;
  const cv::Matx22d j(h(0, 0), h(0, 1), h(1, 0), h(1, 1));
  const cv::Matx22d inv = j.inv();
  AffineTruth t{};
  t.angle_h_deg = std::atan2(j(1, 0), j(0, 0)) * 180 / CV_PI;   // the image of the x axis
  t.angle_v_deg = -std::atan2(j(0, 1), j(1, 1)) * 180 / CV_PI;  // x = c - y tan(angle_v)
  t.px_per_mm_x = p.truth.px_per_mm_x / std::hypot(inv(0, 0), inv(0, 1));
  t.px_per_mm_y = p.truth.px_per_mm_y / std::hypot(inv(1, 0), inv(1, 1));
  return t;
}

Page rotated_page(double degrees, const std::string& grid_color, uint64_t seed) {
  render::PageRenderer r(render::PageOptions().grid_color(grid_color));
  Page page = r.render(synth_record(), seed);
  // Rotated about its centre onto a canvas 160 px larger each way, so no ink is lost.
  const cv::Point2f c(page.image.cols / 2.0f, page.image.rows / 2.0f);
  cv::Mat m = cv::getRotationMatrix2D(c, degrees, 1.0);
  m.at<double>(0, 2) += 80;
  m.at<double>(1, 2) += 80;
  cv::Mat out;
  cv::warpAffine(page.image, out, m, page.image.size() + cv::Size(160, 160), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                 {255, 255, 255});
  page.image = out;
  cv::Matx33d h = cv::Matx33d::eye();
  for (int i = 0; i < 2; ++i) {
    for (int k = 0; k < 3; ++k) h(i, k) = m.at<double>(i, k);
  }
  page.truth.homography = h;
  return page;
}

// Where each found panel's first sample lies against the truth's, in canonical pixels.
double worst_panel_start_px(const Page& page, const PageGeometry& g, const FoundLayout& f) {
  const cv::Matx33d to_c = g.to_canonical * page.truth.homography;
  const double pps = f.speed_mm_s * f.px_per_mm;
  double worst = 0;
  int matched = 0;
  for (const auto& lt : page.truth.leads) {
    for (const auto& p : f.layout.panels) {
      if (p.lead != lt.lead_name || p.rhythm != lt.rhythm || lt.plotted_pixels.empty()) continue;
      const auto& row = f.rows[static_cast<size_t>(p.row)];
      const double n0 = std::round(p.t0_s * lt.sampling_frequency);
      if (std::llround(n0) != lt.start_sample) continue;
      const cv::Point2d want = apply(to_c, lt.plotted_pixels[0]);
      const double got = row.x0_px + n0 / lt.sampling_frequency * pps;
      worst = std::max(worst, std::abs(got - want.x));
      ++matched;
    }
  }
  EXPECT_EQ(matched, static_cast<int>(page.truth.leads.size())) << "every lead's panel is found";
  return worst;
}

void expect_geometry(const Page& page, const std::string& what) {
  const AffineTruth t = affine_truth(page);
  const PageGeometry g = find_geometry(page.image, GeometryOptions());
  EXPECT_EQ(g.scale_source, "grid") << what;
  EXPECT_NEAR(g.px_per_mm_x / t.px_per_mm_x, 1.0, 0.005) << what;
  EXPECT_NEAR(g.px_per_mm_y / t.px_per_mm_y, 1.0, 0.005) << what;
  EXPECT_NEAR(g.angle_h_deg, t.angle_h_deg, 0.1) << what;
  EXPECT_NEAR(g.angle_v_deg, t.angle_v_deg, 0.1) << what;
  const cv::Mat canonical = warp_to_canonical(page.image, g);
  const InkMap ink = find_ink(canonical, g.canonical_px_per_mm);
  LayoutOptions lo;
  lo.px_per_mm = g.canonical_px_per_mm;
  const FoundLayout f = find_layout(ink, lo);
  EXPECT_EQ(f.name, page.truth.layout) << what;
  EXPECT_LE(worst_panel_start_px(page, g, f), 2.0) << what;
}

// A page photographed at an angle: its corners moved by up to `px` (a homography that
// makes the grid lines converge), on a canvas 160 px larger each way.
Page perspective_page(double px, const std::string& grid_color, uint64_t seed) {
  render::PageRenderer r(render::PageOptions().grid_color(grid_color));
  Page page = r.render(synth_record(), seed);
  const float w = static_cast<float>(page.image.cols), h = static_cast<float>(page.image.rows);
  const float d = static_cast<float>(px);
  const std::vector<cv::Point2f> from = {{0, 0}, {w, 0}, {w, h}, {0, h}};
  const std::vector<cv::Point2f> to = {
      {80 + d, 80 + 0.5f * d}, {80 + w - 0.3f * d, 80}, {80 + w, 80 + h - 0.2f * d}, {80 + 0.6f * d, 80 + h}};
  const cv::Mat m = cv::getPerspectiveTransform(from, to);
  cv::Mat out;
  cv::warpPerspective(page.image, out, m, page.image.size() + cv::Size(160, 160), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                      {255, 255, 255});
  page.image = out;
  cv::Matx33d hm;
  for (int i = 0; i < 9; ++i) hm.val[i] = m.at<double>(i / 3, i % 3);
  page.truth.homography = hm;
  return page;
}

// Perspective: the canonical frame's scale along every row (its first and last plotted
// sample, in canonical pixels, against the canonical px per mm) within 0.5 %, and every
// panel's start within 2 px. The affine warp alone misses both on these pages.
TEST(PageGeometry, PerspectivePagesAreRectified) {
  int k = 0;
  for (double px : {25.0, 50.0, 60.0}) {
    const std::string color = std::vector<std::string>{"red", "pink", "blue"}[static_cast<size_t>(k)];
    const Page page = perspective_page(px, color, static_cast<uint64_t>(k + 11));
    const std::string what = color + " grid, corners moved by " + std::to_string(px) + " px";
    const PageGeometry g = find_geometry(page.image, GeometryOptions());
    EXPECT_GT(g.perspective_px, 1.0) << what;
    const cv::Matx33d to_c = g.to_canonical * page.truth.homography;
    double worst_scale = 0;
    for (const auto& lt : page.truth.leads) {
      const auto a = apply(to_c, lt.plotted_pixels.front()), b = apply(to_c, lt.plotted_pixels.back());
      const double mm = static_cast<double>(lt.plotted_pixels.size() - 1) / lt.sampling_frequency * 25.0;
      worst_scale = std::max(worst_scale, std::abs(std::abs(b.x - a.x) / (mm * g.canonical_px_per_mm) - 1));
    }
    EXPECT_LT(worst_scale, 0.005) << what;
    const cv::Mat canonical = warp_to_canonical(page.image, g);
    const InkMap ink = find_ink(canonical, g.canonical_px_per_mm);
    LayoutOptions lo;
    lo.px_per_mm = g.canonical_px_per_mm;
    lo.trace_lag_s = 0;  // our renderer starts on the mark
    const FoundLayout f = find_layout(ink, lo);
    EXPECT_EQ(f.name, page.truth.layout) << what;
    EXPECT_LE(worst_panel_start_px(page, g, f), 2.0) << what;
    ++k;
  }
}

// No grid: the page size gives a first scale, the calibration pulses the true one. A whole
// page and one cropped to 80 % of its width (where the page-size guess is 20 % off) both
// read at the drawn 200 dpi within 1 %, and their rows are found.
TEST(PageGeometry, WithoutAGridThePulsesSetTheScale) {
  render::PageRenderer r(render::PageOptions().grid("none"));
  const Page page = r.render(synth_record(), 21);
  const auto reader = make_trace_reader("classical");
  for (const double keep : {1.0, 0.8}) {
    const cv::Mat image = page.image(cv::Rect(0, 0, static_cast<int>(keep * page.image.cols), page.image.rows)).clone();
    const PageReading got = read_page(image, *reader, PageReadOptions{});
    EXPECT_EQ(got.geometry.scale_source, "pulse") << keep;
    EXPECT_NEAR(got.geometry.px_per_mm_x / (200 / 25.4), 1.0, 0.01) << keep;
    EXPECT_NEAR(got.geometry.px_per_mm_y / (200 / 25.4), 1.0, 0.01) << keep;
    EXPECT_EQ(got.layout.rows.size(), 4u) << keep;
  }
}

TEST(PageGeometry, RotatedRenderedPagesToFiveDegrees) {
  int k = 0;
  // Known weakness, left out here: a dark (bw, brown) grid under a trace drawn thinner
  // than about 1.5 px can lose a row's pulse and separators (bw at 2.4 deg, seed 9).
  for (double deg : {0.0, 0.7, -1.9, 3.2, -5.0, 5.0, 0.0, -4.1}) {
    const std::string color =
        std::vector<std::string>{"red", "pink", "blue", "green", "bw", "brown", "brown", "red"}[k];
    expect_geometry(rotated_page(deg, color, static_cast<uint64_t>(k + 1)), color + " grid at " + std::to_string(deg));
    ++k;
  }
}

}  // namespace
}  // namespace ecg::digitize

namespace ecg::digitize {
namespace {

// The shipped synth presets (configs/synth): every page whose distortions are affine
// (rotation, skew, scale) has its scale and angles found; photos with perspective and
// lens distortion are not rectified by this affine geometry yet, so they are counted, not
// checked.
TEST(PageGeometry, ShippedPresetsWithAffineDistortions) {
  render::ArtefactRegistry registry("artefact");
  render::register_builtin_artefacts(registry);
  const auto schema = render::synth_schema(registry);
  const auto src = ecg::testing::env_path("ECGTORCH_SOURCE_DIR");
  int checked = 0;
  for (const char* preset : {"clean", "scan", "screen", "damaged", "photo"}) {
    const auto file = src / "configs" / "synth" / (std::string(preset) + ".yaml");
    const auto job =
        render::read_synth_job(config::load_config(config::ConfigRequest{file, {}, {}, {}}, &schema), registry);
    const render::PageRenderer renderer(job.page);
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      const Page page = render::render_page(renderer, *job.artefacts, synth_record(), seed);
      const auto& h = page.truth.homography;
      if (page.truth.nonlinear || std::abs(h(2, 0)) > 1e-9 || std::abs(h(2, 1)) > 1e-9) continue;
      const AffineTruth t = affine_truth(page);
      const PageGeometry g = find_geometry(page.image, GeometryOptions());
      const std::string what = std::string(preset) + " seed " + std::to_string(seed);
      EXPECT_NEAR(g.px_per_mm_x / t.px_per_mm_x, 1.0, 0.005) << what;
      EXPECT_NEAR(g.px_per_mm_y / t.px_per_mm_y, 1.0, 0.005) << what;
      EXPECT_NEAR(g.angle_h_deg, t.angle_h_deg, 0.1) << what;
      EXPECT_NEAR(g.angle_v_deg, t.angle_v_deg, 0.1) << what;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 9);  // of 15: the other photos have perspective or lens distortion
}

}  // namespace
}  // namespace ecg::digitize
