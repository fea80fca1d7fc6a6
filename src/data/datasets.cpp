#include "data/datasets.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>

#include "core/error.h"
#include "data/annotations.h"
#include "data/beats.h"
#include "data/dsp.h"
#include "data/ptbxl.h"
#include "data/qrs_stream.h"
#include "data/synth.h"
#include "data/wfdb.h"

namespace fs = std::filesystem;

namespace ecg::data {
namespace {

torch::Tensor fit_length(const torch::Tensor& x, int64_t n) {
  if (x.size(-1) >= n) return x.narrow(-1, 0, n).contiguous();
  return torch::constant_pad_nd(x, {0, n - x.size(-1)}, 0.0);
}

struct WfdbFolderOptions {
  TORCH_ARG(std::string, root) = "";
  TORCH_ARG(std::string, labels) = "none";                          // none | superclass | subclass | form | rhythm
  TORCH_ARG(std::vector<int64_t>, folds) = std::vector<int64_t>{};  // empty: all
  TORCH_ARG(double, length_s) = 10.0;
  TORCH_ARG(double, fs_hz) = 0.0;                                        // 0: as stored
  TORCH_ARG(std::string, subdir) = "";                                   // only records under root/subdir
  TORCH_ARG(std::vector<int64_t>, image_size) = std::vector<int64_t>{};  // [h, w]: multimodal inputs
};

// PTB-XL SCP code -> the synthesiser class it names (labels: synth).
const std::map<std::string, std::string>& ptbxl_to_synth() {
  static const std::map<std::string, std::string> m = {{"SR", "sinus"},          {"SARRH", "sinus"},
                                                       {"SBRAD", "sinus_brady"}, {"STACH", "sinus_tachy"},
                                                       {"AFIB", "afib"},         {"AFLT", "aflutter"},
                                                       {"1AVB", "avb1"},         {"PAC", "pac"},
                                                       {"SVARR", "pac"},         {"PVC", "pvc"},
                                                       {"CRBBB", "rbbb"},        {"CLBBB", "lbbb"},
                                                       {"STE_", "st_elevation"}, {"STD_", "st_depression"},
                                                       {"INVT", "t_inversion"},  {"LVOLT", "low_voltage"}};
  return m;
}

class WfdbFolder : public LabelledDataset {
 public:
  explicit WfdbFolder(const WfdbFolderOptions& o) : o_(o) {
    ECG_CHECK(fs::is_directory(o.root()), "wfdb_folder: root ", o.root(), " is not a directory");
    std::vector<fs::path> headers;
    const fs::path scan = fs::path(o.root()) / o.subdir();
    ECG_CHECK(fs::is_directory(scan), "wfdb_folder: subdir ", scan.string(), " is not a directory");
    ECG_CHECK(o.image_size().empty() || (o.image_size().size() == 2 && o.image_size()[0] > 0 && o.image_size()[1] > 0),
              "wfdb_folder: image_size must be [height, width], got ", o.image_size().size(), " values");
    for (const auto& e : fs::recursive_directory_iterator(scan)) {
      if (e.path().extension() == ".hea") headers.push_back(e.path());
    }
    std::sort(headers.begin(), headers.end());
    if (o.labels() != "none") {
      const fs::path db_csv = fs::path(o.root()) / "ptbxl_database.csv";
      const fs::path st_csv = fs::path(o.root()) / "scp_statements.csv";
      ECG_CHECK(fs::is_regular_file(db_csv) && fs::is_regular_file(st_csv), "wfdb_folder: labels '", o.labels(),
                "' need ptbxl_database.csv and scp_statements.csv in ", o.root());
      const PtbxlDatabase db = read_ptbxl(db_csv, st_csv);
      std::map<std::string, const PtbxlRecord*> by_file;
      for (const auto& r : db.records) {
        by_file[r.filename_hr] = &r;
        by_file[r.filename_lr] = &r;
      }
      std::vector<std::string> names;
      if (o.labels() == "synth") names = synth_classes();
      for (const auto& [code, s] : db.statements) {
        if (o.labels() == "superclass" && s.diagnostic && !s.diagnostic_class.empty())
          names.push_back(s.diagnostic_class);
        if (o.labels() == "subclass" && s.diagnostic && !s.diagnostic_subclass.empty())
          names.push_back(s.diagnostic_subclass);
        if (o.labels() == "form" && s.form) names.push_back(code);
        if (o.labels() == "rhythm" && s.rhythm) names.push_back(code);
      }
      if (o.labels() != "synth") {
        std::sort(names.begin(), names.end());
        names.erase(std::unique(names.begin(), names.end()), names.end());
      }
      classes_ = names;
      for (const auto& h : headers) {
        const auto rel = fs::relative(h, o.root()).replace_extension().string();
        auto it = by_file.find(rel);
        if (it == by_file.end()) continue;  // not a PTB-XL record
        const PtbxlRecord& r = *it->second;
        if (!o.folds().empty() &&
            std::find(o.folds().begin(), o.folds().end(), static_cast<int64_t>(r.strat_fold)) == o.folds().end()) {
          continue;
        }
        std::vector<std::string> synth;
        if (o.labels() == "synth")
          for (const auto& [code, likelihood] : r.scp_codes)
            if (auto m = ptbxl_to_synth().find(code); m != ptbxl_to_synth().end()) synth.push_back(m->second);
        const auto& labels = o.labels() == "superclass" ? r.superclasses
                             : o.labels() == "subclass" ? r.subclasses
                             : o.labels() == "form"     ? r.form
                             : o.labels() == "synth"    ? synth
                                                        : r.rhythm;
        auto target = torch::zeros({static_cast<int64_t>(classes_.size())});
        for (const auto& l : labels) {
          const auto pos = std::find(classes_.begin(), classes_.end(), l) - classes_.begin();
          target[pos] = 1.0f;
        }
        files_.push_back(h);
        targets_.push_back(target);
        age_sex_.emplace_back(r.age, r.sex);
      }
    } else {
      files_ = headers;
    }
    ECG_CHECK(!files_.empty(), "wfdb_folder: no record found under ", o.root(),
              o.labels() != "none" ? " with PTB-XL labels in the chosen folds" : "");
  }
  std::optional<int64_t> size() const override { return static_cast<int64_t>(files_.size()); }
  Example get(int64_t i) const override {
    ECG_CHECK(i >= 0 && i < static_cast<int64_t>(files_.size()), "wfdb_folder: index ", i, " out of range");
    const Record r = read_wfdb(files_[static_cast<size_t>(i)]);
    const double fs = o_.fs_hz() > 0 ? o_.fs_hz() : r.fs_hz;
    const torch::Tensor x = fs != r.fs_hz ? resample(r.signal, r.fs_hz, fs) : r.signal;
    const int64_t n = static_cast<int64_t>(std::llround(o_.length_s() * fs));
    Example ex{fit_length(x, n), targets_.empty() ? torch::Tensor() : targets_[static_cast<size_t>(i)], {}};
    if (!o_.image_size().empty()) {
      // The multimodal model's inputs: the signal, the PTB-XL age and sex, no image.
      ex.extras["signal"] = ex.input.to(torch::kFloat).contiguous();
      ex.extras["image"] = torch::zeros({3, o_.image_size()[0], o_.image_size()[1]});
      const auto [age, sex] = age_sex_.empty() ? std::pair<double, int>{NAN, -1} : age_sex_[static_cast<size_t>(i)];
      ex.extras["numeric"] = torch::tensor({static_cast<float>(age), NAN, NAN});
      ex.extras["categorical"] = torch::tensor({static_cast<int64_t>(sex), int64_t{-1}}, torch::kLong);
      ex.extras["present"] = torch::tensor({0.0F, 1.0F, 1.0F});
    }
    return ex;
  }
  std::vector<std::string> class_names() const override { return classes_; }
  std::vector<int64_t> class_counts() const override {
    if (targets_.empty()) return {};
    const auto sum = torch::stack(targets_).gt(0.5).sum(0).to(torch::kLong).contiguous();
    return std::vector<int64_t>(sum.data_ptr<int64_t>(), sum.data_ptr<int64_t>() + sum.numel());
  }
  std::string example_id(int64_t i) const override { return files_.at(static_cast<size_t>(i)).stem().string(); }

 private:
  WfdbFolderOptions o_;
  std::vector<std::pair<double, int>> age_sex_;  // PTB-XL age (NaN: unknown) and sex (-1: unknown)
  std::vector<fs::path> files_;
  std::vector<torch::Tensor> targets_;
  std::vector<std::string> classes_;
};

struct MitdbBeatsOptions {
  TORCH_ARG(std::string, root) = "";
  TORCH_ARG(std::vector<std::string>, records) = std::vector<std::string>{};
  TORCH_ARG(int64_t, lead) = 0;
  TORCH_ARG(double, before_s) = 0.25;
  TORCH_ARG(double, after_s) = 0.45;
  TORCH_ARG(std::string, centers) = "detected";
  TORCH_ARG(std::string, normalization) = "median";
  TORCH_ARG(int64_t, synth_records) = 0;  // also the beats of this many synthesised records
  TORCH_ARG(int64_t, synth_seed) = 0;
  TORCH_ARG(std::vector<std::string>, synth_classes) = std::vector<std::string>{};  // empty: all
};

class MitdbBeats : public LabelledDataset {
 public:
  explicit MitdbBeats(const MitdbBeatsOptions& o) {
    ECG_CHECK(!o.records().empty(), "mitdb_beats: records is empty (list the record names, e.g. [\"100\", \"208\"])");
    std::vector<torch::Tensor> windows;
    const std::string classes = "NSVFQ";
    for (const auto& name : o.records()) {
      const fs::path base = fs::path(o.root()) / name;
      const Record r = read_wfdb(base);
      ECG_CHECK(o.lead() >= 0 && o.lead() < r.num_leads(), "mitdb_beats: record ", name, " has no lead ", o.lead());
      if (windows.empty()) spec_ = make_spec(o, r.fs_hz, r.leads.at(static_cast<size_t>(o.lead())));
      ECG_CHECK(r.fs_hz == spec_.fs_hz, "mitdb_beats: record ", name, " is at ", r.fs_hz, " Hz, the first at ",
                spec_.fs_hz, " Hz");
      std::vector<int64_t> centers, labels;
      for (const auto& a : read_mit_annotations(base.string() + ".atr")) {
        const char c = aami_class(a.code);
        if (c == 0) continue;
        centers.push_back(a.sample);
        labels.push_back(static_cast<int64_t>(classes.find(c)));
      }
      add_beats(r.signal[o.lead()], centers, labels, windows);
    }
    if (o.synth_records() > 0) add_synthetic(o, windows);
    windows_ = torch::cat(windows);  // [beats, 1, before + after]
  }
  std::optional<BeatWindowSpec> beat_window() const override { return spec_; }
  std::optional<int64_t> size() const override { return windows_.size(0); }
  Example get(int64_t i) const override {
    ECG_CHECK(i >= 0 && i < windows_.size(0), "mitdb_beats: index ", i, " out of range");
    return {windows_[i], torch::tensor(labels_[static_cast<size_t>(i)], torch::kLong), {}};
  }
  std::vector<std::string> class_names() const override { return {"N", "S", "V", "F", "Q"}; }
  std::vector<int64_t> class_counts() const override {
    std::vector<int64_t> n(5, 0);
    for (auto l : labels_) ++n[static_cast<size_t>(l)];
    return n;
  }
  const std::vector<int64_t>& labels() const { return labels_; }

 private:
  static BeatWindowSpec make_spec(const MitdbBeatsOptions& o, double fs, const std::string& lead) {
    ECG_CHECK(o.centers() == "detected" || o.centers() == "annotated",
              "mitdb_beats: centers must be detected or annotated, got '", o.centers(), "'");
    BeatWindowSpec s;
    s.fs_hz = fs;
    s.before = static_cast<int64_t>(std::llround(o.before_s() * fs));
    s.after = static_cast<int64_t>(std::llround(o.after_s() * fs));
    s.lead = lead;
    s.centers = o.centers();
    s.normalization = o.normalization();
    return s;
  }

  // The windows of one lead's beats. With detected centres (what detect sees), each
  // reference beat matched by the streaming detector within 150 ms is cut at the detected
  // R peak and keeps its label; the beats it misses are left out.
  void add_beats(const torch::Tensor& lead, const std::vector<int64_t>& centers, const std::vector<int64_t>& labels,
                 std::vector<torch::Tensor>& windows) {
    std::vector<int64_t> at = centers, label = labels;
    if (spec_.centers == "detected") {
      const auto found = stream_r_peaks(lead, spec_.fs_hz);
      const auto match = match_beats(centers, found, static_cast<int64_t>(std::llround(0.15 * spec_.fs_hz)));
      at.clear();
      label.clear();
      for (size_t i = 0; i < match.size(); ++i) {
        if (match[i] < 0) continue;
        at.push_back(found[static_cast<size_t>(match[i])]);
        label.push_back(labels[i]);
      }
    }
    std::vector<int64_t> kept;
    windows.push_back(beat_window_batch(lead, at, spec_, &kept));
    for (auto k : kept) labels_.push_back(label[static_cast<size_t>(k)]);
  }

  // Beats of synthesised records (lead II, at the first MIT-BIH record's rate, noise 15-30
  // dB), cycling through the synthesiser's classes: N, S (premature atrial) and V beats.
  void add_synthetic(const MitdbBeatsOptions& o, std::vector<torch::Tensor>& windows) {
    const double fs = spec_.fs_hz;
    const std::vector<std::string> classes = o.synth_classes().empty() ? synth_classes() : o.synth_classes();
    for (const auto& c : classes) synth_class_options(c, 0);  // validates the names
    const int64_t lead_ii = 1;                                // standard lead order I, II, ...
    for (int64_t k = 0; k < o.synth_records(); ++k) {
      const int64_t seed = o.synth_seed() * 1000003 + k;
      const auto& cls = classes[static_cast<size_t>(k) % classes.size()];
      std::mt19937_64 rng(static_cast<uint64_t>(seed) + 29);
      const double snr = std::uniform_real_distribution<double>(15.0, 30.0)(rng);
      const SynthEcg e = synthesize(synth_class_options(cls, seed, fs, 10.0).snr_db(snr));
      std::vector<int64_t> centers, labels;
      for (const auto& b : e.beats) {
        centers.push_back(b.r_peak);
        labels.push_back(b.type == 'S' ? 1 : b.type == 'V' ? 2 : 0);
      }
      add_beats(e.record.signal[lead_ii], centers, labels, windows);
    }
  }

  BeatWindowSpec spec_;
  torch::Tensor windows_;
  std::vector<int64_t> labels_;
};

struct SynthDatasetOptions {
  TORCH_ARG(double, fs_hz) = 500.0;
  TORCH_ARG(double, duration_s) = 10.0;
  TORCH_ARG(int64_t, seed) = 0;
  TORCH_ARG(std::vector<std::string>, classes) = std::vector<std::string>{};  // empty: all
  TORCH_ARG(double, snr_db_min) = 15.0;
  TORCH_ARG(double, snr_db_max) = 40.0;
  TORCH_ARG(int64_t, size) = 0;  // 0: infinite
};

class SynthDataset : public LabelledDataset {
 public:
  explicit SynthDataset(SynthDatasetOptions o) : o_(std::move(o)) {
    if (o_.classes().empty()) o_.classes(synth_classes());
    for (const auto& c : o_.classes()) synth_class_options(c, 0);  // validates the names
    ECG_CHECK(o_.snr_db_min() <= o_.snr_db_max(), "synth: snr_db_min > snr_db_max");
  }
  std::optional<int64_t> size() const override {
    return o_.size() > 0 ? std::optional<int64_t>(o_.size()) : std::nullopt;
  }
  Example get(int64_t i) const override {
    ECG_CHECK(i >= 0 && (o_.size() == 0 || i < o_.size()), "synth: index ", i, " out of range [0, ",
              o_.size() > 0 ? std::to_string(o_.size()) : std::string("inf"), ")");
    const int64_t seed = o_.seed() * 1000003 + i;
    std::mt19937_64 rng(static_cast<uint64_t>(seed) + 17);
    const double snr = std::uniform_real_distribution<double>(o_.snr_db_min(), o_.snr_db_max())(rng);
    const auto& cls = o_.classes()[static_cast<size_t>(i % static_cast<int64_t>(o_.classes().size()))];
    const SynthEcg e = synthesize(synth_class_options(cls, seed, o_.fs_hz(), o_.duration_s()).snr_db(snr));
    const auto& names = synth_classes();
    auto target = torch::zeros({static_cast<int64_t>(names.size())});
    for (const auto& l : e.labels) {
      const auto pos = std::find(names.begin(), names.end(), l);
      if (pos != names.end()) target[pos - names.begin()] = 1.0f;
    }
    return {e.record.signal, target, {}};
  }
  std::vector<std::string> class_names() const override { return synth_classes(); }

 private:
  SynthDatasetOptions o_;
};

}  // namespace

void register_builtin_datasets(DatasetRegistry& registry) {
  config::OptionsBinder<WfdbFolderOptions> wf("dataset 'wfdb_folder'");
  ECG_BIND_REQUIRED(wf, root, "directory searched recursively for WFDB headers");
  ECG_BIND(wf, labels, "PTB-XL targets: none | superclass | subclass | form | rhythm | synth (the synthesiser classes)")
      .choices = {"none", "superclass", "subclass", "form", "rhythm", "synth"};
  auto& folds = ECG_BIND(wf, folds, "PTB-XL strat_folds to keep (empty = all)");
  folds.min_value = 1;
  folds.max_value = 10;
  ECG_BIND(wf, length_s, "records cut or zero-padded to this length").min_value = 0;
  ECG_BIND(wf, fs_hz, "resample every record to this rate (0: as stored; PTB-XL mixes 100 and 500 Hz)").min_value = 0;
  ECG_BIND(wf, subdir, "only the records under this folder of root (e.g. records500)");
  ECG_BIND(wf, image_size,
           "[height, width]: also the multimodal model's inputs (signal, PTB-XL age and sex, no image)");
  registry.add("wfdb_folder", "WFDB records under a folder, with PTB-XL labels when present", wf,
               [](const WfdbFolderOptions& o) { return std::make_shared<WfdbFolder>(o); });

  config::OptionsBinder<MitdbBeatsOptions> mb("dataset 'mitdb_beats'");
  ECG_BIND_REQUIRED(mb, root, "MIT-BIH directory (.hea, .dat, .atr)");
  ECG_BIND_REQUIRED(mb, records, "record names; different lists for train and validation = inter-patient");
  ECG_BIND(mb, lead, "signal index").min_value = 0;
  ECG_BIND(mb, before_s, "window before the beat").min_value = 0;
  ECG_BIND(mb, after_s, "window after the beat").min_value = 0;
  ECG_BIND(mb, centers,
           "detected: windows centred where the streaming QRS detector puts each beat (as detect does); "
           "annotated: on the reference annotations")
      .choices = {"detected", "annotated"};
  ECG_BIND(mb, normalization, "median: each window minus its median; none: as recorded").choices = {"median", "none"};
  ECG_BIND(mb, synth_records, "also the beats (N, S, V) of this many synthesised 10 s records, lead II").min_value = 0;
  ECG_BIND(mb, synth_seed, "seed of the synthesised records").min_value = 0;
  ECG_BIND(mb, synth_classes, "synthesiser classes the records cycle through (empty = all 14)");
  registry.add("mitdb_beats", "MIT-BIH beat windows with AAMI classes N, S, V, F, Q", mb,
               [](const MitdbBeatsOptions& o) { return std::make_shared<MitdbBeats>(o); });

  config::OptionsBinder<SynthDatasetOptions> sy("dataset 'synth'");
  ECG_BIND(sy, fs_hz, "sample rate").min_value = 50;
  ECG_BIND(sy, duration_s, "record length").min_value = 1;
  ECG_BIND(sy, seed, "base seed; example i uses seed * 1000003 + i").min_value = 0;
  ECG_BIND(sy, classes, "synthesiser classes to cycle through (empty = all 14)");
  ECG_BIND(sy, snr_db_min, "lowest noise SNR");
  ECG_BIND(sy, snr_db_max, "highest noise SNR");
  ECG_BIND(sy, size, "number of examples (a fixed set, for epochs); 0 = infinite").min_value = 0;
  registry.add("synth", "seeded 12-lead synthetic ECGs (infinite or a fixed set) with rhythm/morphology labels", sy,
               [](const SynthDatasetOptions& o) { return std::make_shared<SynthDataset>(o); });
}

}  // namespace ecg::data
