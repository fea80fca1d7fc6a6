#include "render/page_dataset.h"

#include <torch/torch.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <random>

#include "core/config_loader.h"
#include "core/config_paths.h"
#include "core/error.h"
#include "core/options_binder.h"
#include "data/datasets.h"
#include "data/delineation.h"
#include "data/dsp.h"
#include "data/record_io.h"
#include "data/synth.h"
#include "render/artefact.h"
#include "render/image_tensor.h"
#include "render/page_targets.h"
#include "render/synth_job.h"

namespace fs = std::filesystem;

namespace ecg::render {
namespace {

struct PageDatasetOptions {
  TORCH_ARG(std::string, records) = "";                                       // empty: synthesise
  TORCH_ARG(std::vector<std::string>, classes) = std::vector<std::string>{};  // empty: all
  TORCH_ARG(double, fs_hz) = 500.0;
  TORCH_ARG(double, duration_s) = 10.0;
  TORCH_ARG(std::string, preset) = "mixed";
  TORCH_ARG(std::vector<std::string>, overrides) = std::vector<std::string>{};
  TORCH_ARG(int64_t, seed) = 0;
  TORCH_ARG(int64_t, width) = 512;
  TORCH_ARG(int64_t, height) = 384;
  TORCH_ARG(int64_t, output_width) = 0;  // 0: width
  TORCH_ARG(bool, masks) = false;
  TORCH_ARG(bool, grayscale) = false;
  TORCH_ARG(std::string, target) = "traces";                                         // traces | keypoints | classes
  TORCH_ARG(std::vector<std::string>, keypoint_leads) = std::vector<std::string>{};  // empty: all
  TORCH_ARG(int64_t, max_keypoints) = 64;
  TORCH_ARG(double, signal_fs_hz) = 100.0;   // target=classes: rate of the "signal" extra
  TORCH_ARG(double, p_missing) = 0.0;        // target=classes: chance each modality is absent
  TORCH_ARG(double, synth_fraction) = 0.0;   // with records: share of pages from synthesised signals
  TORCH_ARG(std::string, annotations) = "";  // with records: delineation file extension (LUDB: ii)
  TORCH_ARG(double, crop_s) = 0.0;           // with records: render windows of this length
};

SynthJob load_job(const PageDatasetOptions& o, const ArtefactRegistry& registry) {
  fs::path file = o.preset();
  if (file.extension() != ".yaml" && file.extension() != ".yml")
    file = config::builtin_config_dir() / "synth" / (o.preset() + ".yaml");
  ECG_CHECK(fs::is_regular_file(file), "synth_pages: preset '", o.preset(), "' not found (looked for ", file.string(),
            "; give clean | scan | photo | screen | damaged | mixed or a .yaml file)");
  const auto schema = synth_schema(registry);
  const config::ConfigRequest req{file, o.overrides(), {file.parent_path(), config::builtin_config_dir()}, {}};
  return read_synth_job(config::load_config(req, &schema), registry);
}

class PageDataset : public data::LabelledDataset {
 public:
  explicit PageDataset(PageDatasetOptions o) : o_(std::move(o)), artefact_registry_("artefact") {
    register_builtin_artefacts(artefact_registry_);
    job_ = load_job(o_, artefact_registry_);
    auto probe = std::make_unique<PageRenderer>(job_.page);  // checks the page options and the font now
    render_width_px_ = probe->layout().width_px;
    release(std::move(probe));
    if (!o_.records().empty()) records_ = data::find_record_files(o_.records(), "synth_pages: records");
    if (o_.classes().empty()) o_.classes(data::synth_classes());
    for (const auto& c : o_.classes()) data::synth_class_options(c, 0);  // validates the names
    if (o_.output_width() == 0) o_.output_width(o_.width());
  }

  std::optional<int64_t> size() const override { return std::nullopt; }
  std::vector<std::string> class_names() const override {
    return o_.target() == "classes" ? data::synth_classes() : std::vector<std::string>{};
  }

  data::Example get(int64_t i) const override {
    ECG_CHECK(i >= 0, "synth_pages: index must be >= 0, got ", i);
    const uint64_t seed = page_seed(static_cast<uint64_t>(o_.seed()), static_cast<uint64_t>(i));
    data::Record record;
    std::vector<data::BeatFiducials> beats;
    std::vector<std::string> labels;
    ECG_CHECK(o_.target() != "classes" || records_.empty(),
              "synth_pages: target=classes needs synthesised signals (records are not labelled)");
    // With records, a synth_fraction share of the pages (drawn per index) is synthesised.
    const double u =
        static_cast<double>(page_seed(static_cast<uint64_t>(o_.seed()) ^ 0x73796e7468ULL, static_cast<uint64_t>(i)) >>
                            11) *
        0x1.0p-53;
    if (records_.empty() || u < o_.synth_fraction()) {
      char stem[32];
      std::snprintf(stem, sizeof stem, "%06lld", static_cast<long long>(i));
      const auto& cls = o_.classes()[static_cast<size_t>(i) % o_.classes().size()];
      auto s = data::synthesize(
          data::synth_class_options(cls, static_cast<int64_t>(seed >> 1), o_.fs_hz(), o_.duration_s()));
      record = std::move(s.record);
      record.id = std::string("synth_") + stem + "_" + cls;
      beats = std::move(s.beats);
      labels = std::move(s.labels);
    } else {
      const fs::path& file = records_[static_cast<size_t>(i) % records_.size()];
      record = data::read_record(file);
      if (!o_.annotations().empty()) {
        const fs::path ann = file.parent_path() / (file.stem().string() + "." + o_.annotations());
        ECG_CHECK(fs::is_regular_file(ann), "synth_pages: record ", file.string(), " has no delineation file ",
                  ann.string());
        beats = data::delineation_fiducials(data::read_mit_annotations(ann));
      }
      if (o_.crop_s() > 0) {  // window (i / N) % W of the record's W whole windows
        const int64_t len = std::max<int64_t>(1, std::llround(o_.crop_s() * record.fs_hz));
        const int64_t total = record.signal.size(1);
        const int64_t windows = std::max<int64_t>(1, total / len);
        const int64_t start = ((i / static_cast<int64_t>(records_.size())) % windows) * len;
        record.signal = record.signal.narrow(1, start, std::min(len, total - start)).contiguous();
        if (!beats.empty()) beats = data::shift_fiducials(beats, start, len);
      }
    }
    auto renderer = acquire();
    Page page;
    try {
      page = render_page(*renderer, *job_.artefacts, record, seed, beats.empty() ? nullptr : &beats);
    } catch (...) {
      release(std::move(renderer));
      throw;
    }
    release(std::move(renderer));
    resize_page(page, cv::Size(static_cast<int>(o_.width()), static_cast<int>(o_.height())));
    data::Example ex = example(page, record);
    if (o_.target() == "classes") add_modalities(ex, record, labels, seed);
    return ex;
  }

 private:
  std::unique_ptr<PageRenderer> acquire() const {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!free_.empty()) {
        auto r = std::move(free_.back());
        free_.pop_back();
        return r;
      }
    }
    return std::make_unique<PageRenderer>(job_.page);  // one per concurrent caller (FreeType is not shared)
  }
  void release(std::unique_ptr<PageRenderer> r) const {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(std::move(r));
  }

  data::Example example(const Page& page, const data::Record& record) const {
    data::Example ex;
    ex.input = image_to_input(page.image, o_.grayscale());

    const auto& names = data::standard_leads();
    const int64_t leads = static_cast<int64_t>(names.size());
    const PageTruth& t = page.truth;
    put_trace_targets(ex, trace_targets(t, record, o_.width(), o_.output_width()), t);

    static const char* kWaves[] = {"P", "Q", "R", "S", "T"};
    std::vector<float> kp;
    for (const auto& k : t.keypoints) {
      const auto lead = std::find_if(names.begin(), names.end(),
                                     [&](const std::string& nm) { return data::same_lead_name(nm, k.lead); }) -
                        names.begin();
      const auto wave = std::find(std::begin(kWaves), std::end(kWaves), k.wave) - std::begin(kWaves);
      if (lead >= leads || wave >= 5) continue;
      kp.insert(kp.end(), {static_cast<float>(lead), static_cast<float>(wave), static_cast<float>(k.px.x),
                           static_cast<float>(k.px.y)});
    }
    ex.extras["keypoints"] = torch::tensor(kp, torch::kFloat).reshape({-1, 4});
    if (o_.target() == "keypoints") ex.target = detr_target(kp);

    if (o_.masks()) {
      auto mask = torch::zeros({leads, o_.height(), o_.width()}, torch::kUInt8);
      // The printed trace width, scaled like the page.
      const double width_px = page.truth.style.value("trace_px", 2.0) * static_cast<double>(o_.width()) /
                              static_cast<double>(render_width_px_);
      for (int64_t l = 0; l < leads; ++l) {
        cv::Mat m(static_cast<int>(o_.height()), static_cast<int>(o_.width()), CV_8U, mask[l].data_ptr<uint8_t>());
        for (const auto& lt : t.leads)
          if (data::same_lead_name(lt.lead_name, names[static_cast<size_t>(l)]))
            draw_trace(m, lt.plotted_pixels, cv::Scalar(1), std::max(1.0, width_px), cv::LINE_8);
      }
      ex.extras["mask"] = mask;
    }
    return ex;
  }

  // target=classes: the multi-hot labels, and the page, its signal and synthetic metadata
  // as the multimodal model's inputs, each modality absent with p_missing (not all three).
  void add_modalities(data::Example& ex, const data::Record& record, const std::vector<std::string>& labels,
                      uint64_t seed) const {
    const auto& names = data::synth_classes();
    auto target = torch::zeros({static_cast<int64_t>(names.size())});
    for (const auto& l : labels) {
      const auto pos = std::find(names.begin(), names.end(), l);
      if (pos != names.end()) target[pos - names.begin()] = 1.0F;
    }
    ex.target = target;
    std::mt19937_64 rng(seed ^ 0x6d6d6f64616c73ULL);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    auto unknown = [&](double p) { return u(rng) < p; };
    const double age = 20 + 70 * u(rng), height = 150 + 45 * u(rng), weight = 45 + 70 * u(rng);
    auto numeric = torch::tensor({static_cast<float>(age), static_cast<float>(height), static_cast<float>(weight)});
    for (int64_t k = 0; k < 3; ++k)
      if (unknown(0.1)) numeric[k] = NAN;
    auto categorical =
        torch::tensor({static_cast<int64_t>(u(rng) < 0.5), static_cast<int64_t>(8 * u(rng))}, torch::kLong);
    for (int64_t k = 0; k < 2; ++k)
      if (unknown(0.1)) categorical[k] = -1;
    std::array<float, 3> present{1.0F, 1.0F, 1.0F};
    for (auto& p : present) p = unknown(o_.p_missing()) ? 0.0F : 1.0F;
    if (present[0] + present[1] + present[2] == 0) present[static_cast<size_t>(8 * u(rng)) % 3] = 1.0F;
    torch::Tensor signal = record.signal.to(torch::kFloat);
    if (std::abs(record.fs_hz - o_.signal_fs_hz()) > 1e-9)
      signal = data::resample(signal, record.fs_hz, o_.signal_fs_hz());
    ex.extras["image"] = present[0] > 0 ? ex.input : torch::zeros_like(ex.input);
    ex.extras["signal"] = present[1] > 0 ? signal.contiguous() : torch::zeros_like(signal);
    ex.extras["numeric"] = present[2] > 0 ? numeric : torch::full({3}, NAN);
    ex.extras["categorical"] = present[2] > 0 ? categorical : torch::full({2}, -1, torch::kLong);
    ex.extras["present"] = torch::tensor({present[0], present[1], present[2]});
  }

  // [max_keypoints, 3] (wave, x / width, y / height) of the chosen leads' keypoints, the
  // leftmost first; class -1 rows pad.
  torch::Tensor detr_target(const std::vector<float>& kp) const {
    const auto& names = data::standard_leads();
    std::vector<std::array<float, 3>> rows;
    for (size_t i = 0; i + 3 < kp.size(); i += 4) {
      const auto& lead = names.at(static_cast<size_t>(kp[i]));
      const auto& want = o_.keypoint_leads();
      if (!want.empty() &&
          std::none_of(want.begin(), want.end(), [&](const std::string& w) { return data::same_lead_name(w, lead); }))
        continue;
      rows.push_back(
          {kp[i + 1], kp[i + 2] / static_cast<float>(o_.width()), kp[i + 3] / static_cast<float>(o_.height())});
    }
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a[1] < b[1]; });
    auto t = torch::zeros({o_.max_keypoints(), 3}, torch::kFloat);
    t.select(1, 0).fill_(-1);
    for (size_t r = 0; r < rows.size() && static_cast<int64_t>(r) < o_.max_keypoints(); ++r)
      for (int k = 0; k < 3; ++k) t[static_cast<int64_t>(r)][k] = rows[r][static_cast<size_t>(k)];
    return t;
  }

  PageDatasetOptions o_;
  ArtefactRegistry artefact_registry_;
  SynthJob job_;
  std::vector<fs::path> records_;
  int render_width_px_ = 1;
  mutable std::mutex mutex_;
  mutable std::vector<std::unique_ptr<PageRenderer>> free_;
};

}  // namespace

void register_render_datasets(data::DatasetRegistry& registry) {
  config::OptionsBinder<PageDatasetOptions> b("dataset 'synth_pages'");
  ECG_BIND(b, records, "folder of records (.hea, .csv) to render; empty: synthesise signals");
  ECG_BIND(b, classes, "synthesiser classes to cycle through (empty = all 14)");
  ECG_BIND(b, fs_hz, "sample rate of synthesised signals").min_value = 50;
  ECG_BIND(b, duration_s, "length of synthesised signals").min_value = 1;
  ECG_BIND(b, preset, "clean | scan | photo | screen | damaged | mixed (configs/synth/) or a synth .yaml file");
  ECG_BIND(b, overrides, "overrides of the preset, e.g. [page.dpi=100, artefacts.0.p=0.5]");
  ECG_BIND(b, seed, "base seed; example i uses seeds derived from (seed, i)").min_value = 0;
  ECG_BIND(b, width, "training image width, px").min_value = 8;
  ECG_BIND(b, height, "training image height, px").min_value = 8;
  ECG_BIND(b, output_width, "columns of the per-lead mV target (0 = width)").min_value = 0;
  ECG_BIND(b, masks, "also return per-lead trace masks [12, height, width]");
  ECG_BIND(b, grayscale, "one grey channel instead of RGB");
  ECG_BIND(b, target,
           "traces: per-lead mV; keypoints: DETR targets [max_keypoints, 3] (wave, x, y); classes: multi-hot labels "
           "and the multimodal inputs")
      .choices = {"traces", "keypoints", "classes"};
  ECG_BIND(b, keypoint_leads, "leads whose P, Q, R, S, T keypoints are targets (empty = all)");
  ECG_BIND(b, max_keypoints, "rows of the keypoint target; the leftmost are kept").min_value = 1;
  ECG_BIND(b, signal_fs_hz, "target=classes: sample rate of the signal input").min_value = 50;
  auto& pm = ECG_BIND(b, p_missing, "target=classes: chance that each modality is absent");
  pm.min_value = 0;
  pm.max_value = 1;
  auto& sf = ECG_BIND(b, synth_fraction, "with records: share of pages rendered from synthesised signals instead");
  sf.min_value = 0;
  sf.max_value = 1;
  ECG_BIND(b, annotations,
           "with records: extension of a delineation file beside each record (LUDB: ii) whose "
           "waves become the page's keypoints");
  ECG_BIND(b, crop_s,
           "with records: render consecutive windows of this many seconds (example i: record i % N, "
           "window i / N); 0 = whole records")
      .min_value = 0;
  registry.add("synth_pages", "ECG-paper images rendered on the fly, with per-lead mV targets, masks and keypoints", b,
               [](const PageDatasetOptions& o) { return std::make_shared<PageDataset>(o); });
}

}  // namespace ecg::render
