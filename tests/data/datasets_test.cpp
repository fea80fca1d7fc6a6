#include "data/datasets.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/yaml_io.h"
#include "data/synth.h"
#include "test_util.h"

namespace ecg::data {
namespace {

std::shared_ptr<LabelledDataset> make(const std::string& yaml) {
  static DatasetRegistry r("dataset");
  if (r.size() == 0) register_builtin_datasets(r);
  return std::dynamic_pointer_cast<LabelledDataset>(r.create(config::parse_yaml(yaml, "data.yaml"), "data"));
}

TEST(WfdbFolderDataset, PtbxlSuperclassTargetsAndFolds) {
  ECG_REQUIRE_SHARED_DATA("ptbxl/ptbxl_database.csv");
  const std::string root = (ecg::testing::shared_data_dir() / "ptbxl").string();
  const auto all = make("name: wfdb_folder\nroot: " + root + "\nlabels: superclass");
  EXPECT_EQ(all->class_names(), (std::vector<std::string>{"CD", "HYP", "MI", "NORM", "STTC"}));
  EXPECT_EQ(all->size().value(), 28);  // 14 records at 100 Hz and 14 at 500 Hz
  const auto first = all->get(0);      // records100/00000/00001_lr: NORM
  EXPECT_EQ(first.input.sizes(), (std::vector<int64_t>{12, 1000}));
  EXPECT_TRUE(torch::equal(first.target, torch::tensor({0.0f, 0.0f, 0.0f, 1.0f, 0.0f})));
  torch::Tensor positives = torch::zeros({5});
  for (int64_t i = 0; i < all->size().value(); ++i) positives += all->get(i).target;
  const auto counts = all->class_counts();  // records with each label
  ASSERT_EQ(counts.size(), 5u);
  for (int64_t c = 0; c < 5; ++c) EXPECT_EQ(counts[c], positives[c].item<float>()) << c;
  EXPECT_GT(counts[3], 0);  // NORM
  const auto fold3 = make("name: wfdb_folder\nroot: " + root + "\nlabels: superclass\nfolds: [3]");
  EXPECT_LT(fold3->size().value(), all->size().value());
  EXPECT_GT(fold3->size().value(), 0);
  const auto plain =
      make("name: wfdb_folder\nroot: " + (ecg::testing::shared_data_dir() / "ludb").string() + "\nlength_s: 12");
  EXPECT_EQ(plain->get(0).input.sizes(), (std::vector<int64_t>{12, 6000}));  // 10 s zero-padded to 12 s
  EXPECT_FALSE(plain->get(0).target.defined());
  EXPECT_TRUE(plain->class_counts().empty());  // no labels, nothing to count
  // fs_hz resamples every record: the 100 Hz and 500 Hz ones then batch together.
  const auto at100 = make("name: wfdb_folder\nroot: " + root + "\nlabels: superclass\nfs_hz: 100");
  for (int64_t i = 0; i < at100->size().value(); ++i) {
    EXPECT_EQ(at100->get(i).input.sizes(), (std::vector<int64_t>{12, 1000})) << i;
  }
  EXPECT_TRUE(torch::equal(at100->get(0).input, first.input));  // already at 100 Hz: untouched
  EXPECT_ERROR_HAS(make("name: wfdb_folder\nroot: /no/dir"), "wfdb_folder: root /no/dir is not a directory");
  EXPECT_ERROR_HAS(make("name: wfdb_folder\nroot: " + root + "\nlabels: diagnosis"),
                   "data.labels: expected one of none, superclass, subclass, form, rhythm, synth, got 'diagnosis'");
}

TEST(WfdbFolderDataset, SynthLabelsSubdirAndMultimodalInputs) {
  ECG_REQUIRE_SHARED_DATA("ptbxl/ptbxl_database.csv");
  const std::string root = (ecg::testing::shared_data_dir() / "ptbxl").string();
  const auto d = make("name: wfdb_folder\nroot: " + root +
                      "\nsubdir: records500\nlabels: synth\nfs_hz: 100\nimage_size: [16, 32]");
  EXPECT_EQ(d->size().value(), 14);  // the _hr records only
  EXPECT_EQ(d->class_names(), synth_classes());
  EXPECT_EQ(d->example_id(0), "00001_hr");
  const auto names = d->class_names();
  auto labels_of = [&](int64_t i) {
    std::vector<std::string> out;
    const auto t = d->get(i).target;
    for (int64_t k = 0; k < t.size(0); ++k)
      if (t[k].item<float>() > 0) out.push_back(names[static_cast<size_t>(k)]);
    return out;
  };
  EXPECT_EQ(labels_of(0), (std::vector<std::string>{"sinus", "low_voltage"}));  // 00001: NORM, LVOLT, SR
  EXPECT_EQ(labels_of(1), (std::vector<std::string>{"sinus_brady"}));           // 00002: SBRAD
  EXPECT_EQ(labels_of(7), (std::vector<std::string>{"afib", "aflutter"}));      // 00017: AFLT, AFIB
  const auto e = d->get(0);
  EXPECT_EQ(e.input.sizes(), (std::vector<int64_t>{12, 1000}));
  EXPECT_TRUE(torch::equal(e.extras.at("signal"), e.input));
  EXPECT_EQ(e.extras.at("image").sizes(), (std::vector<int64_t>{3, 16, 32}));
  EXPECT_FLOAT_EQ(e.extras.at("numeric")[0].item<float>(), 56.0F);  // age of record 1
  EXPECT_EQ(e.extras.at("categorical")[0].item<int64_t>(), 1);      // sex of record 1
  EXPECT_TRUE(torch::equal(e.extras.at("present"), torch::tensor({0.0F, 1.0F, 1.0F})));
  EXPECT_ERROR_HAS(make("name: wfdb_folder\nroot: " + root + "\nsubdir: records999"),
                   "wfdb_folder: subdir " + root + "/records999 is not a directory");
  EXPECT_ERROR_HAS(make("name: wfdb_folder\nroot: " + root + "\nimage_size: [16]"),
                   "wfdb_folder: image_size must be [height, width], got 1 values");
}

// Detected centres (the default, what detect sees): the reference beats the streaming QRS
// detector finds within 150 ms, cut at the detected peak; the spec travels to the checkpoint.
TEST(MitdbBeatsDataset, DetectedCentresAndTheirSpec) {
  ECG_REQUIRE_SHARED_DATA("mitdb/208.atr");
  const std::string root = (ecg::testing::shared_data_dir() / "mitdb").string();
  const auto d = make("name: mitdb_beats\nroot: " + root + "\nrecords: [\"208\"]");
  std::vector<int64_t> counts(5, 0);
  for (int64_t i = 0; i < d->size().value(); ++i) ++counts[d->get(i).target.item<int64_t>()];
  EXPECT_EQ(counts, (std::vector<int64_t>{1574, 2, 986, 370, 2}));
  EXPECT_EQ(d->class_counts(), counts);  // what a class-balanced loss is weighted by
  const auto spec = d->beat_window();
  ASSERT_TRUE(spec.has_value());
  EXPECT_EQ(spec->to_json().dump(),
            R"({"after":162,"before":90,"centers":"detected","fs_hz":360.0,"lead":"MLII","normalization":"median"})");
  // Each window is its samples minus their median (the upper middle of 252 values).
  const auto w = std::get<0>(d->get(0).input.flatten().sort());
  EXPECT_EQ(w[126].item<float>(), 0.0f);
}

TEST(MitdbBeatsDataset, AamiClassesPerRecordList) {
  ECG_REQUIRE_SHARED_DATA("mitdb/208.atr");
  const std::string root = (ecg::testing::shared_data_dir() / "mitdb").string();
  const auto d = make("name: mitdb_beats\nroot: " + root + "\nrecords: [\"208\"]\ncenters: annotated");
  EXPECT_EQ(d->class_names(), (std::vector<std::string>{"N", "S", "V", "F", "Q"}));
  EXPECT_EQ(d->size().value(), 2953);  // of 2955 beats, one N and one F lie too near the record's ends
  const auto e = d->get(0);
  EXPECT_EQ(e.input.sizes(), (std::vector<int64_t>{1, 90 + 162}));  // 0.25 s + 0.45 s at 360 Hz
  std::vector<int64_t> counts(5, 0);
  for (int64_t i = 0; i < d->size().value(); ++i) ++counts[d->get(i).target.item<int64_t>()];
  EXPECT_EQ(counts, (std::vector<int64_t>{1585, 2, 992, 372, 2}));
  EXPECT_ERROR_HAS(make("name: mitdb_beats\nroot: " + root + "\nrecords: []"), "mitdb_beats: records is empty");
  // Synthesised beats follow the real ones: N, S and V, deterministic in the seed.
  const auto mixed =
      make("name: mitdb_beats\nroot: " + root + "\nrecords: [\"208\"]\ncenters: annotated\nsynth_records: 28");
  ASSERT_GT(mixed->size().value(), 2953 + 28 * 5);
  std::vector<int64_t> synth_counts(5, 0);
  for (int64_t i = 2953; i < mixed->size().value(); ++i) ++synth_counts[mixed->get(i).target.item<int64_t>()];
  EXPECT_GT(synth_counts[0], 0);
  EXPECT_GT(synth_counts[1], 0);  // pac records
  EXPECT_GT(synth_counts[2], 0);  // pvc records
  EXPECT_EQ(synth_counts[3] + synth_counts[4], 0);
  EXPECT_TRUE(torch::equal(mixed->get(2953).input, make("name: mitdb_beats\nroot: " + root +
                                                        "\nrecords: [\"208\"]\ncenters: annotated\nsynth_records: 28")
                                                       ->get(2953)
                                                       .input));
  EXPECT_EQ(mixed->get(2953).input.sizes(), e.input.sizes());
  // Only premature-beat records: a fifth of their beats are S or V.
  const auto premature = make("name: mitdb_beats\nroot: " + root +
                              "\nrecords: [\"208\"]\ncenters: annotated\nsynth_records: 20\nsynth_classes: [pac, pvc]");
  std::vector<int64_t> p(5, 0);
  for (int64_t i = 2953; i < premature->size().value(); ++i) ++p[premature->get(i).target.item<int64_t>()];
  EXPECT_GT(p[1] + p[2], (p[0] + p[1] + p[2]) / 10);
  EXPECT_ERROR_HAS(
      make("name: mitdb_beats\nroot: " + root + "\nrecords: [\"208\"]\nsynth_records: 2\nsynth_classes: [wpw]"),
      "unknown class 'wpw'");
}

TEST(SynthDataset, InfiniteDeterministicAndLabelled) {
  const auto d = make("name: synth\nclasses: [afib, pvc]\nduration_s: 4\nseed: 2");
  EXPECT_FALSE(d->size().has_value());
  const auto a = d->get(5), b = d->get(5), c = d->get(6);
  EXPECT_TRUE(torch::equal(a.input, b.input));
  EXPECT_EQ(a.input.sizes(), (std::vector<int64_t>{12, 2000}));
  const auto names = d->class_names();
  auto has = [&](const torch::Tensor& t, const std::string& l) {
    return t[std::find(names.begin(), names.end(), l) - names.begin()].item<float>() == 1.0f;
  };
  EXPECT_TRUE(has(a.target, "pvc"));  // odd index: the second class
  EXPECT_TRUE(has(c.target, "afib"));
  EXPECT_ERROR_HAS(make("name: synth\nclasses: [wpw]"), "synth: unknown class 'wpw'");
  // size: a fixed set of the same examples, for epochs.
  const auto fixed = make("name: synth\nclasses: [afib, pvc]\nduration_s: 4\nseed: 2\nsize: 10");
  EXPECT_EQ(fixed->size().value(), 10);
  EXPECT_TRUE(torch::equal(fixed->get(5).input, a.input));
  EXPECT_ERROR_HAS(fixed->get(10), "synth: index 10 out of range [0, 10)");
}

}  // namespace
}  // namespace ecg::data
