#include <gtest/gtest.h>

#include <torch/torch.h>
#include <algorithm>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>

#include "core/atomic_file.h"
#include "core/config_loader.h"
#include "core/yaml_io.h"
#include "data/record_io.h"
#include "data/synth.h"
#include "render/artefact.h"
#include "render/page_renderer.h"
#include "render/synth_job.h"
#include "test_util.h"

namespace ecg::render {
namespace {

data::SynthEcg synth_record(int64_t seed) {
  auto s = data::synthesize(data::synth_class_options("sinus", seed));
  s.record.id = "synth" + std::to_string(seed);
  return s;
}

TEST(PageLayout, DefaultIsTheEcgImageKitPage) {
  const auto l = make_layout(PageOptions());
  EXPECT_EQ(l.width_px, 2200);
  EXPECT_EQ(l.height_px, 1700);
  EXPECT_NEAR(l.px_per_mm, 200 / 25.4, 1e-12);
  EXPECT_EQ(l.rows, 4);
  EXPECT_EQ(l.columns, 4);
  EXPECT_DOUBLE_EQ(l.strip_s, 10.0);
  ASSERT_EQ(l.panels.size(), 13u);
  // Column k shows [2.5 k, 2.5 k + 2.5) s; the last panel is the 10 s lead II strip.
  EXPECT_EQ(l.panels[5].lead, "aVL");
  EXPECT_DOUBLE_EQ(l.panels[5].t0_s, 2.5);
  EXPECT_DOUBLE_EQ(l.panels[5].t1_s, 5.0);
  EXPECT_DOUBLE_EQ(l.panels[5].x0_mm - l.panels[4].x0_mm, 62.5);
  EXPECT_EQ(l.panels[12].lead, "II");
  EXPECT_TRUE(l.panels[12].rhythm);
  EXPECT_DOUBLE_EQ(l.panels[12].t1_s, 10.0);
  // 50 mm/s: a row shows 5 s; 12x1 has 12 full rows; 3x4+3 16 panels.
  EXPECT_DOUBLE_EQ(make_layout(PageOptions().speed_mm_s(50)).strip_s, l.trace_width_mm / 50);
  EXPECT_EQ(make_layout(PageOptions().layout("12x1")).panels.size(), 12u);
  EXPECT_EQ(make_layout(PageOptions().layout("3x4+3")).panels.size(), 15u);
  EXPECT_EQ(make_layout(PageOptions().layout("6x2").paper("a4")).width_px, 2339);
  const auto r = make_layout(PageOptions().rhythm_leads(std::vector<std::string>{"v5"}));
  EXPECT_EQ(r.panels.back().lead, "V5");
  EXPECT_ERROR_HAS(make_layout(PageOptions().rhythm_leads(std::vector<std::string>{"V7"})),
                   "page.rhythm_leads: unknown lead 'V7'");
  EXPECT_ERROR_HAS(make_layout(PageOptions().layout("3x4+3").rhythm_leads(std::vector<std::string>{"II"})),
                   "page.rhythm_leads: layout 3x4+3 takes 3 rhythm leads, got 1");
}

// Share of plotted points whose pixel is dark (trace-coloured: every channel < 100).
double on_trace_share(const Page& page) {
  int64_t n = 0, hit = 0;
  for (const auto& l : page.truth.leads) {
    for (const auto& p : l.plotted_pixels) {
      if (std::isnan(p.x)) continue;
      const int x = static_cast<int>(std::lround(p.x)), y = static_cast<int>(std::lround(p.y));
      ++n;
      if (x < 0 || y < 0 || x >= page.image.cols || y >= page.image.rows) continue;
      const auto v = page.image.at<cv::Vec3b>(y, x);
      if (v[0] < 100 && v[1] < 100 && v[2] < 100) ++hit;
    }
  }
  return n > 0 ? static_cast<double>(hit) / static_cast<double>(n) : 0.0;
}

// Decodes every plotted, unclipped sample back to mV through the truth alone (inverse
// homography, baseline, grid scale, gain) and returns the SNR in dB against the record.
double decode_snr_db(const PageTruth& t, const data::Record& r) {
  const cv::Matx33d inv = t.homography.inv();
  double signal = 0, noise = 0;
  for (const auto& l : t.leads) {
    const int64_t lead = r.lead_index(l.lead_name);
    std::vector<bool> clipped(static_cast<size_t>(l.end_sample - l.start_sample), false);
    for (int64_t c : l.clipped_samples) clipped[static_cast<size_t>(c)] = true;
    for (int64_t i = 0; i < l.end_sample - l.start_sample; ++i) {
      if (clipped[static_cast<size_t>(i)]) continue;
      const auto& p = l.plotted_pixels[static_cast<size_t>(i)];
      const cv::Vec3d q = inv * cv::Vec3d(p.x, p.y, 1);
      const double mv = (l.baseline_y - q[1] / q[2]) / (t.px_per_mm_y * t.gain_mm_mv);
      const double truth = r.signal[lead][l.start_sample + i].item<double>();
      signal += truth * truth;
      noise += (mv - truth) * (mv - truth);
    }
  }
  return 10 * std::log10(signal / noise);
}

ArtefactPipeline pipeline(const std::string& yaml) {
  static ArtefactRegistry registry("artefact");
  if (registry.size() == 0) register_builtin_artefacts(registry);
  return ArtefactPipeline(registry, config::parse_yaml(yaml, "artefacts.yaml"), "artefacts");
}

TEST(PageRenderer, CleanPageTruthLiesOnTheTraceAndDecodesExactly) {
  const auto s = synth_record(1);
  PageRenderer r(PageOptions().qr_code(true));
  const auto page = r.render(s.record, 7, &s.beats);
  EXPECT_EQ(page.image.cols, 2200);
  EXPECT_EQ(page.image.rows, 1700);
  ASSERT_EQ(page.truth.leads.size(), 13u);
  EXPECT_EQ(page.truth.leads[12].plotted_pixels.size(), 5000u);  // 10 s at 500 Hz
  EXPECT_EQ(page.truth.leads[1].start_sample, 1250);             // aVR: [2.5, 5) s
  const double share = on_trace_share(page);
  EXPECT_GE(share, 0.98) << share;
  // Through the JSON file and back.
  ecg::testing::TempDir tmp;
  write_file_atomic(tmp / "p.json", to_json(page.truth).dump());
  const auto t = read_page_truth(tmp / "p.json");
  EXPECT_GE(decode_snr_db(t, s.record), 40.0);
  EXPECT_FALSE(t.keypoints.empty());
  EXPECT_EQ(t.keypoints[0].wave, "P");
  EXPECT_NEAR(t.px_per_mm_x, 200 / 25.4, 1e-9);
  EXPECT_EQ(t.calibration_boxes.size(), 4u);
  EXPECT_EQ(t.printed_text.size(), 5u);  // 3 header lines, the footer, the QR code
  // The same seed gives the same bytes.
  const auto again = r.render(s.record, 7, &s.beats);
  EXPECT_EQ(cv::norm(page.image, again.image, cv::NORM_INF), 0.0);
}

TEST(PageRenderer, LeadLabelsAboveOrUnderTheZeroLine) {
  // ecg-image-kit prints a lead's name under its zero line at the panel's start; ours
  // defaults to above the trace. The label's box says where it went.
  const auto s = synth_record(1);
  const double ppm = 200 / 25.4, mv_px = 10 * ppm;
  for (const std::string place : {"above", "below"}) {
    const auto page = PageRenderer(PageOptions().label_place(place)).render(s.record, 7);
    for (const auto& lead : page.truth.leads) {
      const double top = lead.text_bounding_box[0].y, bottom = lead.text_bounding_box[2].y;
      if (place == "above") {
        EXPECT_LT(bottom, lead.baseline_y - 0.2 * mv_px) << lead.lead_name;
      } else {
        EXPECT_NEAR(top, lead.baseline_y + 0.35 * mv_px, 2.0) << lead.lead_name;
        EXPECT_NEAR(lead.text_bounding_box[0].x, lead.plotted_pixels.front().x + 0.3 * ppm, 3.0) << lead.lead_name;
      }
    }
  }
  // random: either, per page, and the default page keeps its looks.
  int below = 0;
  for (uint64_t seed = 0; seed < 8; ++seed) {
    const auto page = PageRenderer(PageOptions().label_place("random")).render(s.record, seed);
    below += page.truth.leads[0].text_bounding_box[0].y > page.truth.leads[0].baseline_y;
  }
  EXPECT_GT(below, 0);
  EXPECT_LT(below, 8);
  EXPECT_ERROR_HAS(PageRenderer(page_options_binder().parse(config::parse_yaml("{label_place: left}", "p"), "page")),
                   "label_place");
}

TEST(PageRenderer, GeometricArtefactsMoveTheTruthWithTheImage) {
  const auto s = synth_record(2);
  PageRenderer r{PageOptions()};
  // Projective only: the truth still decodes through the inverse homography.
  auto page = r.render(s.record, 3);
  pipeline("[{name: skew, degrees: [2, 2]}, {name: perspective, corner_shift: [0.05, 0.05]}]").apply(page, 11);
  EXPECT_EQ(page.truth.artefacts.size(), 2u);
  EXPECT_FALSE(page.truth.nonlinear);
  EXPECT_GE(on_trace_share(page), 0.97);
  EXPECT_GE(decode_snr_db(page.truth, s.record), 40.0);
  // Lens, creases, wrinkles and rotation: the points follow the remaps.
  auto bent = r.render(s.record, 3);
  pipeline("[{name: crease, count: [2, 2]}, {name: wrinkles}, {name: lens, k1: [0.1, 0.1]}, {name: rotation}]")
      .apply(bent, 5);
  EXPECT_TRUE(bent.truth.nonlinear);
  const double share = on_trace_share(bent);
  EXPECT_GE(share, 0.95) << share;
}

TEST(PageRenderer, EveryArtefactRunsAndIsLogged) {
  ArtefactRegistry registry("artefact");
  register_builtin_artefacts(registry);
  EXPECT_EQ(registry.size(), 24u);
  const auto s = synth_record(4);
  PageRenderer r(PageOptions().grid("dots").grid_color("random").layout("6x2"));
  for (const auto& name : registry.names()) {
    auto page = r.render(s.record, 1);
    pipeline("[{name: " + name + "}]").apply(page, 2);
    ASSERT_EQ(page.truth.artefacts.size(), 1u) << name;
    EXPECT_EQ(page.truth.artefacts[0]["name"], name);
    EXPECT_EQ(page.image.size(), cv::Size(2200, 1700)) << name;
  }
  EXPECT_ERROR_HAS(pipeline("[{name: skwe}]"), "unknown artefact 'skwe', did you mean 'skew'?");
  EXPECT_ERROR_HAS(pipeline("[{name: jpeg, quality: [10]}]"), "artefacts.0.quality: expected 2 elements, got 1");
}

TEST(SynthJob, EveryShippedPresetIsValid) {
  ArtefactRegistry registry("artefact");
  register_builtin_artefacts(registry);
  const auto schema = synth_schema(registry);
  const char* src = std::getenv("ECGTORCH_SOURCE_DIR");
  ASSERT_NE(src, nullptr) << "ECGTORCH_SOURCE_DIR is set by ctest";
  size_t artefacts = 0;
  for (const char* preset : {"clean", "scan", "photo", "screen", "damaged", "mixed"}) {
    const auto file = std::filesystem::path(src) / "configs" / "synth" / (std::string(preset) + ".yaml");
    const auto job = read_synth_job(config::load_config(config::ConfigRequest{file, {}, {}, {}}, &schema), registry);
    artefacts += job.artefacts->size();
  }
  EXPECT_EQ(artefacts, 0u + 9 + 10 + 7 + 9 + 23);
  ecg::testing::TempDir tmp;
  const auto bad = tmp.write("bad.yaml", "page: {dpi: 200}\nartefacts:\n  - {name: jpeg, quality: [10, 90], p: 2}\n");
  EXPECT_ERROR_HAS(config::load_config(config::ConfigRequest{bad, {}, {}, {}}, &schema), "bad.yaml:3:");
}

TEST(GroundTruth, ReadsEcgImageKitJson) {
  ECG_REQUIRE_SHARED_DATA("images/ecg-image-kit-dev/clean/00001_hr-0.json");
  const auto t = read_page_truth(ecg::testing::shared_data_dir() / "images/ecg-image-kit-dev/clean/00001_hr-0.json");
  EXPECT_EQ(t.width, 2200);
  ASSERT_EQ(t.leads.size(), 13u);
  EXPECT_EQ(t.leads[0].lead_name, "III");
  EXPECT_EQ(t.leads[12].end_sample, 5000);
  EXPECT_EQ(t.leads[12].plotted_pixels.size(), 5000u);
  // ecg-image-kit marks no rhythm strip: the longer of the two lead II entries is it.
  EXPECT_EQ(t.leads[4].lead_name, "II");
  EXPECT_FALSE(t.leads[4].rhythm);
  EXPECT_TRUE(t.leads[12].rhythm);
  EXPECT_EQ(std::count_if(t.leads.begin(), t.leads.end(), [](const LeadTruth& l) { return l.rhythm; }), 1);
  EXPECT_NEAR(t.px_per_mm_x, 39.37 / 5, 1e-9);
  EXPECT_NEAR(t.leads[0].plotted_pixels[0].y, 1269.88, 1e-9);  // [y, x] pairs
  EXPECT_NEAR(t.leads[0].plotted_pixels[0].x, 118.11, 1e-9);
  ecg::testing::TempDir tmp;
  write_file_atomic(tmp / "bad.json",
                    "{\"width\": 10, \"height\": 10, \"resolution\": 200, \"sampling_frequency\": "
                    "500, \"x_grid\": 1, \"y_grid\": 1, \"leads\": [{\"lead_name\": \"I\"}]}");
  EXPECT_ERROR_HAS(read_page_truth(tmp / "bad.json"), "bad.json.leads[0]: missing field 'start_sample'");
}

// Found by fuzz/ground_truth_fuzz: a printed-text entry without its box (or a field of
// the wrong type) escaped as a raw nlohmann exception instead of an error naming the file.
TEST(GroundTruth, MalformedOptionalFieldsAreNamedErrors) {
  const std::string head =
      "{\"width\": 10, \"height\": 10, \"resolution\": 200, \"sampling_frequency\": 500, \"x_grid\": 5, "
      "\"y_grid\": 5, \"leads\": [], ";
  EXPECT_ERROR_HAS(
      page_truth_from_json(nlohmann::json::parse(head + "\"printed_text\": [{\"text\": \"x\"}]}"), "gt.json"),
      "gt.json: unexpected ground-truth JSON:");
  EXPECT_ERROR_HAS(
      page_truth_from_json(nlohmann::json::parse(head + "\"printed_text\": [{\"text\": 3, \"box\": []}]}"), "gt.json"),
      "gt.json");
  // A width far beyond int (undefined behaviour to convert) is refused.
  EXPECT_ERROR_HAS(
      page_truth_from_json(nlohmann::json::parse("{\"width\": 1.8e25, \"height\": 10, \"resolution\": 200, "
                                                 "\"sampling_frequency\": 500, \"x_grid\": 5, \"y_grid\": 5, "
                                                 "\"leads\": []}"),
                           "gt.json"),
      "gt.json: width and height must be between 1 and 1e6 pixels");
}

}  // namespace
}  // namespace ecg::render
