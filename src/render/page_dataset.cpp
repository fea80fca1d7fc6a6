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
#include "render/page_source.h"
#include "render/page_targets.h"
#include "render/synth_job.h"

namespace fs = std::filesystem;

namespace ecg::render {
namespace {

struct PageDatasetOptions : PageSourceOptions {
  TORCH_ARG(int64_t, width) = 512;
  TORCH_ARG(int64_t, height) = 384;
  TORCH_ARG(int64_t, output_width) = 0;  // 0: width
  TORCH_ARG(bool, masks) = false;
  TORCH_ARG(bool, grayscale) = false;
  TORCH_ARG(std::string, target) = "traces";                                         // traces | keypoints | classes
  TORCH_ARG(std::vector<std::string>, keypoint_leads) = std::vector<std::string>{};  // empty: all
  TORCH_ARG(int64_t, max_keypoints) = 64;
  TORCH_ARG(double, signal_fs_hz) = 100.0;  // target=classes: rate of the "signal" extra
  TORCH_ARG(double, p_missing) = 0.0;       // target=classes: chance each modality is absent
};

class PageDataset : public data::LabelledDataset {
 public:
  explicit PageDataset(PageDatasetOptions o) : o_(std::move(o)), source_(o_, "synth_pages") {
    render_width_px_ = source_.render_width_px();
    if (o_.output_width() == 0) o_.output_width(o_.width());
    ECG_CHECK(o_.target() != "classes" || !source_.has_records(),
              "synth_pages: target=classes needs synthesised signals (records are not labelled)");
  }

  std::optional<int64_t> size() const override { return std::nullopt; }
  std::vector<std::string> class_names() const override {
    return o_.target() == "classes" ? data::synth_classes() : std::vector<std::string>{};
  }

  data::Example get(int64_t i) const override {
    SourcedPage p = source_.get(i);
    resize_page(p.page, cv::Size(static_cast<int>(o_.width()), static_cast<int>(o_.height())));
    data::Example ex = example(p.page, p.record);
    if (o_.target() == "classes") add_modalities(ex, p.record, p.labels, p.seed);
    return ex;
  }

 private:
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
  PageSource source_;
  int render_width_px_ = 1;
};

}  // namespace

void register_render_datasets(data::DatasetRegistry& registry) {
  config::OptionsBinder<PageDatasetOptions> b("dataset 'synth_pages'");
  bind_page_source_options(b);
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
  registry.add("synth_pages", "ECG-paper images rendered on the fly, with per-lead mV targets, masks and keypoints", b,
               [](const PageDatasetOptions& o) { return std::make_shared<PageDataset>(o); });
}

}  // namespace ecg::render
