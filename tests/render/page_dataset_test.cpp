#include "render/page_dataset.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "core/yaml_io.h"
#include "data/datasets.h"
#include "data/loader.h"
#include "data/synth.h"
#include "data/wfdb.h"
#include "test_util.h"
#include "train/registries.h"

namespace ecg::render {
namespace {

std::shared_ptr<data::Dataset> make(const std::string& yaml) {
  data::DatasetRegistry r("dataset");
  register_render_datasets(r);
  return r.create(config::parse_yaml("name: synth_pages\n" + yaml, "data.yaml"), "data");
}

TEST(PageDataset, TargetsOfARampRecordAreExactAndConsistentWithThePixels) {
  // Lead k: v(t) = 0.05 (k - 5) + 0.05 t mV, 10 s at 500 Hz, written with 0.1 uV steps.
  ecg::testing::TempDir dir;
  data::Record r;
  r.id = "ramp";
  r.fs_hz = 500;
  r.leads = data::standard_leads();
  r.units.assign(12, "mV");
  const auto t = torch::arange(5000, torch::kDouble) / 500.0;
  r.signal = torch::stack(std::vector<torch::Tensor>{0.05 * (torch::arange(12, torch::kDouble).unsqueeze(1) - 5) +
                                                     0.05 * t.unsqueeze(0)})
                 .squeeze(0)
                 .to(torch::kFloat);
  data::WfdbWriteOptions w;
  w.gains.assign(12, 10000.0);
  data::write_wfdb(r, dir.path(), w);
  const auto ds =
      make("records: " + dir.path().string() + "\npreset: clean\nwidth: 550\nheight: 425\noutput_width: 275");
  EXPECT_FALSE(ds->size().has_value());
  const auto ex = ds->get(0);
  ASSERT_EQ(ex.input.sizes(), (std::vector<int64_t>{3, 425, 550}));
  EXPECT_GE(ex.input.min().item<float>(), 0.0f);
  EXPECT_LE(ex.input.max().item<float>(), 1.0f);
  ASSERT_EQ(ex.target.sizes(), (std::vector<int64_t>{12, 275}));
  const float ppm = ex.extras.at("px_per_mm").item<float>();
  EXPECT_NEAR(ppm, 200 / 25.4 / 4, 1e-4);
  const auto y = ex.extras.at("y_px"), base = ex.extras.at("baseline_px");
  // One output column is 2 image px = 2 / (ppm * 25 mm/s) s of signal.
  const double dv = 0.05 * 2 / (ppm * 25.0);
  for (int64_t k = 0; k < 12; ++k) {
    const auto valid = torch::isfinite(ex.target[k]);
    const int64_t n = valid.sum().item<int64_t>();
    EXPECT_NEAR(n, 62.5 * ppm / 2, 1.5) << k;  // a 2.5 s panel is 62.5 mm wide
    const auto v = ex.target[k].masked_select(valid);
    const auto d = v.slice(0, 1) - v.slice(0, 0, -1);
    EXPECT_LT((d - dv).abs().max().item<double>(), 1.5e-4) << k;  // 1e-4 mV steps in the file
    EXPECT_NEAR((v[n - 1] - v[0]).item<double>() / static_cast<double>(n - 1), dv, 1e-5) << k;
    const int64_t column = k / 3;  // 3x4: column c shows [2.5 c, 2.5 c + 2.5) s
    EXPECT_NEAR(v[0].item<double>(), 0.05 * (k - 5) + 0.05 * 2.5 * column, 0.01) << k;
    // mV = (baseline - y) / (ppm * gain), the digitiser's own formula, on every column.
    const auto mv = (base[k] - y[k].masked_select(valid)) / (ppm * 10.0);
    EXPECT_LT((mv - v).abs().max().item<double>(), 1e-3) << k;
  }
  EXPECT_EQ(ex.extras.at("keypoints").sizes(), (std::vector<int64_t>{0, 4}));  // no fiducials for a record
}

TEST(PageDataset, SynthesisedPagesAreDeterministicWithMasksAndKeypoints) {
  const auto ds = make("preset: mixed\nseed: 7\nwidth: 256\nheight: 192\nmasks: true");
  const auto a = ds->get(3), b = ds->get(3), c = ds->get(4);
  EXPECT_TRUE(torch::equal(a.input, b.input));
  EXPECT_TRUE(torch::equal(a.target.nan_to_num(), b.target.nan_to_num()));
  EXPECT_FALSE(torch::equal(a.input, c.input));
  const auto& mask = a.extras.at("mask");
  ASSERT_EQ(mask.sizes(), (std::vector<int64_t>{12, 192, 256}));
  EXPECT_EQ(mask.dtype(), torch::kUInt8);
  for (int64_t k = 0; k < 12; ++k) EXPECT_GT(mask[k].sum().item<int64_t>(), 40) << k;
  const auto kp = a.extras.at("keypoints");
  ASSERT_GT(kp.size(0), 10);
  EXPECT_GE(kp.select(1, 0).min().item<float>(), 0);
  EXPECT_LT(kp.select(1, 0).max().item<float>(), 12);
  EXPECT_LT(kp.select(1, 1).max().item<float>(), 5);
  // Loader workers build the same bytes as a direct call.
  data::DataLoader loader(ds, {3, 4}, data::LoaderOptions{2, 2, 1, false});
  const auto batch = loader.next();
  ASSERT_TRUE(batch.has_value());
  EXPECT_TRUE(torch::equal(batch->input[0], a.input));
  EXPECT_TRUE(torch::equal(batch->input[1], c.input));
  EXPECT_TRUE(torch::equal(batch->extras.at("mask")[0], mask));
  EXPECT_EQ(batch->lists.count("keypoints") + batch->extras.count("keypoints"), 1u);
}

TEST(PageDataset, BadOptionsAreNamed) {
  EXPECT_ERROR_HAS(make("preset: nope"), "synth_pages: preset 'nope' not found");
  EXPECT_ERROR_HAS(make("classes: [sinus, zebra]"), "zebra");
  EXPECT_ERROR_HAS(make("records: /nonexistent/dir"), "synth_pages: records /nonexistent/dir is not a directory");
  EXPECT_ERROR_HAS(make("overrides: [page.dpi=-3]"), "page.dpi");
  const auto regs = train::make_builtin_registries();
  EXPECT_TRUE(regs->datasets.find("synth_pages") != nullptr);
}

TEST(PageDataset, KeypointTargetsAreTheChosenLeadsFiducialsSortedAndPadded) {
  const auto ds = make(
      "preset: clean\nwidth: 256\nheight: 64\nduration_s: 4\noverrides: [page.layout=2x1]\ntarget: keypoints\n"
      "keypoint_leads: [II]\nmax_keypoints: 48\nclasses: [sinus]");
  const auto ex = ds->get(3);
  ASSERT_EQ(ex.target.sizes(), (std::vector<int64_t>{48, 3}));
  const auto all = ex.extras.at("keypoints");  // [K, 4] lead, wave, x, y in pixels
  const auto of_ii = all.select(1, 0).eq(1);
  const int64_t n = of_ii.sum().item<int64_t>();
  ASSERT_GT(n, 10);  // a 4 s sinus strip has 4+ beats of 5 fiducials
  ASSERT_LE(n, 48);
  const auto t = ex.target;
  for (int64_t r = 0; r < 48; ++r) {
    const float c = t[r][0].item<float>();
    if (r < n) {
      EXPECT_GE(c, 0.0F);
      EXPECT_LE(c, 4.0F);
      EXPECT_GE(t[r][1].item<float>(), 0.0F);
      EXPECT_LE(t[r][1].item<float>(), 1.0F);
      if (r > 0) EXPECT_LE(t[r - 1][1].item<float>(), t[r][1].item<float>());
    } else {
      EXPECT_EQ(c, -1.0F) << r;
    }
  }
  // The same points: x / width of lead II's keypoints, sorted.
  auto xs = std::get<0>(all.index({of_ii}).select(1, 2).sort());
  EXPECT_TRUE(torch::allclose(t.narrow(0, 0, n).select(1, 1), xs / 256.0F));
  const auto narrow = make(
      "preset: clean\nwidth: 256\nheight: 64\nduration_s: 4\noverrides: [page.layout=2x1]\ntarget: keypoints\n"
      "keypoint_leads: [II]\nmax_keypoints: 5\nclasses: [sinus]");
  EXPECT_EQ(narrow->get(3).target.select(1, 0).ge(0).sum().item<int64_t>(), 5);  // the 5 leftmost kept
}

TEST(PageDataset, ClassTargetsCarryTheMultimodalInputsOfOneRecord) {
  const auto ds = make("preset: clean\nwidth: 64\nheight: 32\ntarget: classes\nclasses: [afib, pvc]\np_missing: 0");
  const auto labelled = std::dynamic_pointer_cast<data::LabelledDataset>(ds);
  ASSERT_NE(labelled, nullptr);
  EXPECT_EQ(labelled->class_names(), data::synth_classes());
  const auto& names = data::synth_classes();
  const auto afib = std::find(names.begin(), names.end(), "afib") - names.begin();
  const auto ex = ds->get(0);  // class afib
  EXPECT_EQ(ex.target[afib].item<float>(), 1.0F);
  EXPECT_TRUE(torch::equal(ex.extras.at("image"), ex.input));
  EXPECT_EQ(ex.extras.at("signal").sizes(), (std::vector<int64_t>{12, 1000}));  // 10 s at 100 Hz
  EXPECT_EQ(ex.extras.at("numeric").sizes(), (std::vector<int64_t>{3}));
  EXPECT_EQ(ex.extras.at("categorical").scalar_type(), torch::kLong);
  EXPECT_TRUE(torch::equal(ex.extras.at("present"), torch::ones({3})));
  // Deterministic per index.
  EXPECT_TRUE(torch::equal(ds->get(0).extras.at("signal"), ex.extras.at("signal")));
  // With p_missing 1 exactly one modality stays; the others are blanked.
  const auto sparse = make("preset: clean\nwidth: 64\nheight: 32\ntarget: classes\np_missing: 1");
  for (int64_t i = 0; i < 6; ++i) {
    const auto e = sparse->get(i);
    const auto present = e.extras.at("present");
    EXPECT_EQ(present.sum().item<float>(), 1.0F);
    if (present[0].item<float>() == 0) EXPECT_EQ(e.extras.at("image").abs().sum().item<float>(), 0.0F);
    if (present[1].item<float>() == 0) EXPECT_EQ(e.extras.at("signal").abs().sum().item<float>(), 0.0F);
    if (present[2].item<float>() == 0) EXPECT_TRUE(torch::isnan(e.extras.at("numeric")).all().item<bool>());
  }
  ecg::testing::TempDir dir;
  data::Record r;
  r.id = "x";
  r.fs_hz = 100;
  r.leads = data::standard_leads();
  r.units.assign(12, "mV");
  r.signal = torch::zeros({12, 1000});
  data::write_wfdb(r, dir.path());
  EXPECT_ERROR_HAS(make("records: " + dir.path().string() + "\ntarget: classes")->get(0),
                   "synth_pages: target=classes needs synthesised signals");
}

}  // namespace
}  // namespace ecg::render

namespace ecg::render {
namespace {

std::shared_ptr<data::Dataset> make_any(const std::string& yaml) {
  const auto regs = train::make_builtin_registries();
  return regs->datasets.create(config::parse_yaml(yaml, "data.yaml"), "data");
}

TEST(PageDataset, LudbDelineationBecomesKeypointsOfCroppedWindows) {
  ECG_REQUIRE_SHARED_DATA("ludb/1.ii");
  const std::string ludb = (ecg::testing::shared_data_dir() / "ludb").string();
  const auto ds = make_any("name: synth_pages\nrecords: " + ludb +
                           "\npreset: clean\nwidth: 512\nheight: 256\ncrop_s: 4\nannotations: ii\n"
                           "overrides: [page.layout=2x1, page.header=false, page.speed_mm_s=50]\ntarget: keypoints\n"
                           "keypoint_leads: [II]\nmax_keypoints: 32");
  // Window 0 is seconds [0, 4), window 1 [4, 8); index 2 wraps to window 0.
  const auto w0 = ds->get(0), w1 = ds->get(1);
  EXPECT_TRUE(torch::equal(ds->get(2).target, w0.target));
  // Window 0 holds the beats at 662 and 1342 (the first without its P): 9 keypoints;
  // window 1 those at 2000 (its P and QRS onset fall before 4 s), 2642, 3314 and 3969
  // (no T): 3 + 5 + 5 + 4.
  const int64_t expected[] = {9, 17};
  for (int k = 0; k < 2; ++k) {
    const auto& ex = k == 0 ? w0 : w1;
    const auto cls = ex.target.select(1, 0);
    EXPECT_EQ((cls >= 0).sum().item<int64_t>(), expected[k]) << k;
    for (int64_t wave = 0; wave < 5; ++wave) EXPECT_GT((cls == wave).sum().item<int64_t>(), 0) << wave;
    const auto x = ex.target.select(1, 1).masked_select(cls >= 0);
    EXPECT_GE(x.min().item<float>(), 0.0F);
    EXPECT_LE(x.max().item<float>(), 1.0F);
  }
  EXPECT_FALSE(torch::equal(w0.target, w1.target));
  EXPECT_ERROR_HAS(make_any("name: synth_pages\nrecords: " + ludb + "\nannotations: qq")->get(0),
                   "has no delineation file");
}

TEST(ImagePages, EcgImageKitPagesScoreAgainstTheirRecords) {
  ECG_REQUIRE_SHARED_DATA("images/ecg-image-kit-dev/clean/00001_hr-0.json");
  const auto data = ecg::testing::shared_data_dir();
  const auto ds = make_any("name: image_pages\nroot: " + (data / "images/ecg-image-kit-dev/clean").string() +
                           "\nrecords: " + (data / "ptbxl/records500").string() + "\nwidth: 550\nheight: 425");
  ASSERT_EQ(ds->size().value(), 14);
  EXPECT_EQ(ds->example_id(0), "00001_hr-0");
  const auto ex = ds->get(0);
  ASSERT_EQ(ex.input.sizes(), (std::vector<int64_t>{3, 425, 550}));
  ASSERT_EQ(ex.target.sizes(), (std::vector<int64_t>{12, 550}));
  // ecg-image-kit's 3x4 layout: each lead on its 2.5 s column (lead II's panel, not the
  // 10 s strip below it), 2.5 s x 25 mm/s x 200 dpi / 25.4 / 4 = 123 of 550 columns.
  const auto panel = ex.extras.at("panel_s");
  EXPECT_FLOAT_EQ(panel[1][0].item<float>(), 0.0F);  // II
  EXPECT_FLOAT_EQ(panel[1][1].item<float>(), 2.5F);
  EXPECT_FLOAT_EQ(panel[6][0].item<float>(), 5.0F);  // V1: third column
  for (int64_t k = 0; k < 12; ++k) {
    const int64_t n = torch::isfinite(ex.target[k]).sum().item<int64_t>();
    EXPECT_NEAR(n, 123, 2) << k;
  }
  // The targets are the record's values: lead I's first plotted column lies within the
  // first sample step of the record's lead I.
  const auto rec = data::read_wfdb(data / "ptbxl/records500/00000/00001_hr");
  const auto valid = torch::isfinite(ex.target[0]);
  const float first = ex.target[0].masked_select(valid)[0].item<float>();
  // One column is 4 page px = 0.51 mm = 10 samples: the first plotted column lies within them.
  const auto head = rec.signal[0].slice(0, 0, 11);
  EXPECT_LE(first, head.max().item<float>() + 1e-3F);
  EXPECT_GE(first, head.min().item<float>() - 1e-3F);
  EXPECT_ERROR_HAS(make_any("name: image_pages\nroot: " + (data / "images/ecg-image-kit-dev/clean").string() +
                            "\nrecords: " + (data / "ludb").string()),
                   "00001_hr-0.png: no record '00001_hr'");
  EXPECT_ERROR_HAS(make_any("name: image_pages\nroot: /no/such\nrecords: /tmp"),
                   "image_pages: root '/no/such' is not a directory");
}

}  // namespace
}  // namespace ecg::render
