#include "render/page_source.h"

#include <cstdio>

#include "core/config_loader.h"
#include "core/config_paths.h"
#include "core/error.h"
#include "data/annotations.h"
#include "data/record_io.h"
#include "data/synth.h"

namespace fs = std::filesystem;

namespace ecg::render {
namespace {

SynthJob load_job(const PageSourceOptions& o, const ArtefactRegistry& registry, const std::string& who) {
  fs::path file = o.preset();
  if (file.extension() != ".yaml" && file.extension() != ".yml")
    file = config::builtin_config_dir() / "synth" / (o.preset() + ".yaml");
  ECG_CHECK(fs::is_regular_file(file), who, ": preset '", o.preset(), "' not found (looked for ", file.string(),
            "; give clean | scan | photo | screen | damaged | mixed or a .yaml file)");
  const auto schema = synth_schema(registry);
  const config::ConfigRequest req{file, o.overrides(), {file.parent_path(), config::builtin_config_dir()}, {}};
  return read_synth_job(config::load_config(req, &schema), registry);
}

}  // namespace

PageSource::PageSource(PageSourceOptions o, std::string who)
    : o_(std::move(o)), who_(std::move(who)), artefact_registry_("artefact") {
  register_builtin_artefacts(artefact_registry_);
  job_ = load_job(o_, artefact_registry_, who_);
  auto probe = std::make_unique<PageRenderer>(job_.page);  // checks the page options and the font now
  render_width_px_ = probe->layout().width_px;
  release(std::move(probe));
  if (!o_.records().empty()) records_ = data::find_record_files(o_.records(), who_ + ": records");
  if (o_.classes().empty()) o_.classes(data::synth_classes());
  for (const auto& c : o_.classes()) data::synth_class_options(c, 0);  // validates the names
}

SourcedPage PageSource::get(int64_t i) const {
  ECG_CHECK(i >= 0, who_, ": index must be >= 0, got ", i);
  SourcedPage p;
  p.seed = page_seed(static_cast<uint64_t>(o_.seed()), static_cast<uint64_t>(i));
  // With records, a synth_fraction share of the pages (drawn per index) is synthesised.
  const double u = static_cast<double>(
                       page_seed(static_cast<uint64_t>(o_.seed()) ^ 0x73796e7468ULL, static_cast<uint64_t>(i)) >> 11) *
                   0x1.0p-53;
  if (records_.empty() || u < o_.synth_fraction()) {
    char stem[32];
    std::snprintf(stem, sizeof stem, "%06lld", static_cast<long long>(i));
    const auto& cls = o_.classes()[static_cast<size_t>(i) % o_.classes().size()];
    auto s = data::synthesize(
        data::synth_class_options(cls, static_cast<int64_t>(p.seed >> 1), o_.fs_hz(), o_.duration_s()));
    p.record = std::move(s.record);
    p.record.id = std::string("synth_") + stem + "_" + cls;
    p.beats = std::move(s.beats);
    p.labels = std::move(s.labels);
  } else {
    const fs::path& file = records_[static_cast<size_t>(i) % records_.size()];
    p.record = data::read_record(file);
    if (!o_.annotations().empty()) {
      const fs::path ann = file.parent_path() / (file.stem().string() + "." + o_.annotations());
      ECG_CHECK(fs::is_regular_file(ann), who_, ": record ", file.string(), " has no delineation file ", ann.string());
      p.beats = data::delineation_fiducials(data::read_mit_annotations(ann));
    }
    if (o_.crop_s() > 0) {  // window (i / N) % W of the record's W whole windows
      const int64_t len = std::max<int64_t>(1, std::llround(o_.crop_s() * p.record.fs_hz));
      const int64_t total = p.record.signal.size(1);
      const int64_t windows = std::max<int64_t>(1, total / len);
      const int64_t start = ((i / static_cast<int64_t>(records_.size())) % windows) * len;
      p.record.signal = p.record.signal.narrow(1, start, std::min(len, total - start)).contiguous();
      if (!p.beats.empty()) p.beats = data::shift_fiducials(p.beats, start, len);
    }
  }
  auto renderer = acquire();
  try {
    p.page = render_page(*renderer, *job_.artefacts, p.record, p.seed, p.beats.empty() ? nullptr : &p.beats);
  } catch (...) {
    release(std::move(renderer));
    throw;
  }
  release(std::move(renderer));
  return p;
}

std::unique_ptr<PageRenderer> PageSource::acquire() const {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!free_.empty()) {
      auto r = std::move(free_.back());
      free_.pop_back();
      return r;
    }
  }
  return std::make_unique<PageRenderer>(job_.page);
}

void PageSource::release(std::unique_ptr<PageRenderer> r) const {
  std::lock_guard<std::mutex> lock(mutex_);
  free_.push_back(std::move(r));
}

}  // namespace ecg::render
