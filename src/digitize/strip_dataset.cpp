#include "digitize/strip_dataset.h"

#include <cmath>
#include <deque>
#include <memory>
#include <mutex>

#include <torch/torch.h>

#include "core/error.h"
#include "core/options_binder.h"
#include "digitize/page_reader.h"
#include "digitize/strip_cutter.h"
#include "digitize/strip_targets.h"
#include "render/page_source.h"

namespace ecg::digitize {
namespace {

struct StripDatasetOptions : render::PageSourceOptions {
  TORCH_ARG(double, columns_per_s) = 500;
  TORCH_ARG(int64_t, height_px) = 256;
  TORCH_ARG(double, height_rows) = 2.5;
  TORCH_ARG(double, window_s) = 2.0;  // 0: whole strips
  TORCH_ARG(int64_t, rows_per_page) = 4;
};

struct CutPage {
  int64_t asked = -1;  // the page index asked for
  int64_t page = -1;   // the page used (asked, or a replacement)
  std::vector<Strip> strips;
  std::vector<StripTargets> targets;
  std::vector<size_t> usable;  // strips that hold a truth lead
};

// Pages read_page_layout cannot lay out are skipped: a blue or faded trace that the ink
// map does not see, a page the artefacts tore apart.
constexpr int kTries = 64;

uint64_t mix(uint64_t seed, uint64_t i) {
  return render::page_seed(seed ^ 0x7374726970ULL, i);
}

class StripDataset : public data::Dataset {
 public:
  explicit StripDataset(StripDatasetOptions o) : o_(std::move(o)), source_(o_, "trace_strips") {
    strip_.columns_per_s = o_.columns_per_s();
    strip_.height_px = o_.height_px();
    strip_.height_rows = o_.height_rows();
    ECG_CHECK(o_.height_px() >= 16, "trace_strips: height_px must be >= 16, got ", o_.height_px());
  }

  std::optional<int64_t> size() const override { return std::nullopt; }

  data::Example get(int64_t i) const override {
    ECG_CHECK(i >= 0, "trace_strips: index must be >= 0, got ", i);
    const auto page = cut(i / o_.rows_per_page());
    const uint64_t h = mix(static_cast<uint64_t>(o_.seed()), static_cast<uint64_t>(i));
    const size_t k = page->usable[static_cast<size_t>(h % page->usable.size())];
    const Strip& s = page->strips[k];
    const StripTargets& t = page->targets[k];
    const int64_t columns = s.image.size(2);
    int64_t width = o_.window_s() > 0 ? std::llround(o_.window_s() * o_.columns_per_s()) : columns;
    int64_t start = 0;
    torch::Tensor input = s.image, target = t.y_row;
    if (width < columns) {
      start = static_cast<int64_t>((h >> 20) % static_cast<uint64_t>(columns - width + 1));
      input = input.narrow(2, start, width);
      target = target.narrow(0, start, width);
    } else if (width > columns) {  // pad with paper and NaN
      input = torch::constant_pad_nd(input, {0, width - columns});
      target = torch::constant_pad_nd(target, {0, width - columns}, NAN);
    }
    data::Example ex;
    ex.input = input.contiguous();
    const auto mv = (static_cast<float>(t.baseline_row) - target) / static_cast<float>(t.rows_per_mv);
    ex.target = torch::stack({target, mv, torch::full_like(target, static_cast<float>(t.rows_per_mv))}).contiguous();
    ex.extras["baseline_row"] = torch::tensor(static_cast<float>(t.baseline_row));
    ex.extras["rows_per_mv"] = torch::tensor(static_cast<float>(t.rows_per_mv));
    ex.extras["page"] = torch::tensor(page->page, torch::kLong);
    return ex;
  }

 private:
  std::shared_ptr<const CutPage> cut(int64_t p) const {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const auto& c : cache_)
        if (c->asked == p) return c;
    }
    std::string why;
    for (int attempt = 0; attempt < kTries; ++attempt) {
      const int64_t index = p + 7919 * attempt;
      auto page = std::make_shared<CutPage>();
      page->asked = p;
      page->page = index;
      try {
        const render::SourcedPage sp = source_.get(index);
        const PageLayoutReading r = read_page_layout(sp.page.image, PageReadOptions{});
        page->strips = cut_strips(r.canonical, r.ink, r.layout, strip_);
        page->targets = strip_targets(page->strips, sp.page.truth, r.geometry);
      } catch (const Error& e) {
        why = e.what();
        continue;
      }
      for (size_t k = 0; k < page->targets.size(); ++k)
        if (!page->targets[k].leads.empty()) page->usable.push_back(k);
      if (page->usable.empty()) {
        why = "no strip holds a lead of the truth";
        continue;
      }
      std::lock_guard<std::mutex> lock(mutex_);
      cache_.push_back(page);
      if (cache_.size() > 8) cache_.pop_front();
      return page;
    }
    ECG_CHECK(false, "trace_strips: page ", p, " and ", kTries - 1, " replacements could not be read (last: ", why,
              ")");
    return nullptr;
  }

  StripDatasetOptions o_;
  render::PageSource source_;
  StripOptions strip_;
  mutable std::mutex mutex_;
  mutable std::deque<std::shared_ptr<const CutPage>> cache_;
};

config::OptionsBinder<StripDatasetOptions> strip_binder() {
  config::OptionsBinder<StripDatasetOptions> b("dataset 'trace_strips'");
  render::bind_page_source_options(b);
  ECG_BIND(b, columns_per_s, "strip columns per second of paper time (one per output sample)").min_value = 50;
  ECG_BIND(b, height_px, "strip rows").min_value = 16;
  ECG_BIND(b, height_rows, "row pitches a strip spans").min_value = 0.5;
  ECG_BIND(b, window_s, "seconds of a strip per example, drawn per index (0: the whole strip)").min_value = 0;
  ECG_BIND(b, rows_per_page, "consecutive examples cut from one page").min_value = 1;
  return b;
}

}  // namespace

StripOptions strip_options_of(const config::ConfigNode& data_section) {
  ECG_CHECK(data_section.has("name") && data_section.at("name").text() == "trace_strips",
            "strip options: the data section is not a trace_strips dataset");
  const auto o = strip_binder().parse(data_section, "data");
  StripOptions s;
  s.columns_per_s = o.columns_per_s();
  s.height_px = o.height_px();
  s.height_rows = o.height_rows();
  return s;
}

void register_strip_datasets(data::DatasetRegistry& registry) {
  registry.add("trace_strips", "row strips of rendered pages as digitize cuts them, with each column's trace row",
               strip_binder(), [](const StripDatasetOptions& o) { return std::make_shared<StripDataset>(o); });
}

}  // namespace ecg::digitize
