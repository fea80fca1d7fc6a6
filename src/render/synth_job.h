#pragma once
// A synthetic-page job: the page options and the artefact pipeline of a preset
// (configs/synth/<preset>.yaml), the signal source, and the files written per page.
//
//   page: {...PageOptions}          artefacts: [{name: ..., p: ..., ...}, ...]
//
// Per page `<stem>`: <stem>.png|.jpg (the image), <stem>.json (ground_truth.h),
// <stem>-mask.png (optional: per-lead instance mask, 0 = background, k = leads[k-1] of
// the JSON, drawn through the final, distorted trace points at the trace width) and the
// plotted signal <stem>.csv (Kaggle CSV) or WFDB <stem>.hea/.dat: 12 standard leads over
// the record's length, NaN wherever a lead was not plotted or was clipped.
// Every file is written atomically.

#include <filesystem>
#include <memory>
#include <string>

#include "core/config_node.h"
#include "core/config_schema.h"
#include "data/record.h"
#include "render/artefact.h"
#include "render/page_renderer.h"

namespace ecg::render {

struct SynthJob {
  PageOptions page;
  std::shared_ptr<ArtefactPipeline> artefacts;
};

/// Schema of a synth config: `page` (PageOptions) and `artefacts` (a component list).
config::Schema synth_schema(const ArtefactRegistry& registry);
/// Reads a loaded, checked synth config.
SynthJob read_synth_job(const config::ConfigNode& cfg, const ArtefactRegistry& registry);

/// Renders `record` and applies the artefacts; everything is drawn from `seed`.
Page render_page(const PageRenderer& renderer, const ArtefactPipeline& artefacts, const data::Record& record,
                 uint64_t seed, const std::vector<data::BeatFiducials>* beats = nullptr);

/// Resizes image and truth by `factor` (area interpolation when shrinking); pixel centres
/// map as (p + 0.5) * factor - 0.5, the grid scale and the homography follow.
void scale_page(Page& page, double factor);
/// Resizes image and truth to `size` (x and y scaled independently), as scale_page.
void resize_page(Page& page, cv::Size size);

/// Seed of page `index` of a job seeded with `seed` (SplitMix64), independent of threads.
uint64_t page_seed(uint64_t seed, uint64_t index);

struct PageFiles {
  std::string image_format = "png";  // png | jpg
  int jpeg_quality = 92;
  std::string signal_format = "csv";  // csv | wfdb | none
  bool masks = false;
  int png_compression = 1;  // zlib level: 1 is fast and ~15 % larger than 9
};

/// The instance mask (CV_8U) of a page's truth at `thickness` px.
cv::Mat lead_mask(const PageTruth& truth, int thickness);
/// The plotted signal: 12 standard leads, the record's length, NaN where not plotted.
data::Record plotted_signal(const PageTruth& truth, const data::Record& record);

/// Writes the files of one page into `dir`; returns the image path.
std::filesystem::path write_page(const Page& page, const data::Record& record, const std::filesystem::path& dir,
                                 const std::string& stem, const PageFiles& files);

}  // namespace ecg::render
