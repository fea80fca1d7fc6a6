#pragma once
// PageSource: page i of a stream of rendered ECG pages, the signals and rendering that
// the page datasets (synth_pages, trace_strips) share. Page i depends only on (options,
// i): any worker thread renders the same bytes.
//
// The signal of page i is synthesised (class classes[i % C], seed derived from (seed, i))
// or, with `records: DIR`, record i % N of that folder, with a `synth_fraction` share of
// the indices (drawn per index) synthesised instead. With records, `crop_s` takes window
// (i / N) % W of the record's W whole windows of that length. The page is drawn with the
// preset's page options and artefacts (configs/synth/<preset>.yaml, with `overrides`),
// seeded by (seed, i), at the preset's resolution.
//
//   PageSource src(options, "synth_pages");
//   SourcedPage p = src.get(17);   // p.page.image, p.page.truth, p.record

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <torch/arg.h>

#include "core/options_binder.h"
#include "data/delineation.h"
#include "data/record.h"
#include "render/artefact.h"
#include "render/page_renderer.h"
#include "render/synth_job.h"

namespace ecg::render {

struct PageSourceOptions {
  TORCH_ARG(std::string, records) = "";                                       // empty: synthesise
  TORCH_ARG(std::vector<std::string>, classes) = std::vector<std::string>{};  // empty: all
  TORCH_ARG(double, fs_hz) = 500.0;
  TORCH_ARG(double, duration_s) = 10.0;
  TORCH_ARG(std::string, preset) = "mixed";
  TORCH_ARG(std::vector<std::string>, overrides) = std::vector<std::string>{};
  TORCH_ARG(int64_t, seed) = 0;
  TORCH_ARG(double, synth_fraction) = 0.0;   // with records: share of pages from synthesised signals
  TORCH_ARG(std::string, annotations) = "";  // with records: delineation file extension (LUDB: ii)
  TORCH_ARG(double, crop_s) = 0.0;           // with records: render windows of this length
};

struct SourcedPage {
  Page page;  // at the preset's resolution, artefacts applied
  data::Record record;
  std::vector<data::BeatFiducials> beats;  // synthesised signals, or records with `annotations`
  std::vector<std::string> labels;         // the synthesiser's labels (synthesised signals only)
  uint64_t seed = 0;                       // page_seed(seed, i)
};

class PageSource {
 public:
  /// `who` names the dataset in errors. Throws ecg::Error for an unknown preset or class,
  /// a records folder without records, or page options the renderer rejects.
  PageSource(PageSourceOptions options, std::string who);
  SourcedPage get(int64_t index) const;
  const PageSourceOptions& options() const { return o_; }
  const SynthJob& job() const { return job_; }
  int render_width_px() const { return render_width_px_; }
  bool has_records() const { return !records_.empty(); }

 private:
  std::unique_ptr<PageRenderer> acquire() const;
  void release(std::unique_ptr<PageRenderer> r) const;

  PageSourceOptions o_;
  std::string who_;
  ArtefactRegistry artefact_registry_;
  SynthJob job_;
  std::vector<std::filesystem::path> records_;
  int render_width_px_ = 1;
  mutable std::mutex mutex_;
  mutable std::vector<std::unique_ptr<PageRenderer>> free_;  // one per concurrent caller (FreeType is not shared)
};

/// Binds PageSourceOptions' fields into the binder of an options type derived from it.
template <class Options>
void bind_page_source_options(config::OptionsBinder<Options>& b) {
  ECG_BIND(b, records, "folder of records (.hea, .csv) to render; empty: synthesise signals");
  ECG_BIND(b, classes, "synthesiser classes to cycle through (empty = all 14)");
  ECG_BIND(b, fs_hz, "sample rate of synthesised signals").min_value = 50;
  ECG_BIND(b, duration_s, "length of synthesised signals").min_value = 1;
  ECG_BIND(b, preset, "clean | scan | photo | screen | damaged | mixed (configs/synth/) or a synth .yaml file");
  ECG_BIND(b, overrides, "overrides of the preset, e.g. [page.dpi=100, artefacts.0.p=0.5]");
  ECG_BIND(b, seed, "base seed; example i uses seeds derived from (seed, i)").min_value = 0;
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
}

}  // namespace ecg::render
