#include "render/synth_job.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/strings.h"
#include "data/kaggle_csv.h"
#include "data/wfdb.h"

namespace ecg::render {

config::Schema synth_schema(const ArtefactRegistry& registry) {
  config::Schema s;
  s.set_what("the synth config");
  config::FieldSpec page;
  page.name = "page";
  page.type = config::ValueType::kSection;
  page.help = "page options (paper, dpi, layout, grid, ...)";
  page.section = page_options_binder().shared_schema();
  s.add(std::move(page));
  config::FieldSpec art;
  art.name = "artefacts";
  art.type = config::ValueType::kComponentList;
  art.help = "artefacts applied in order: [{name: <artefact>, p: <probability>, ...}, ...]";
  art.component = registry.component_kind();
  s.add(std::move(art));
  return s;
}

SynthJob read_synth_job(const config::ConfigNode& cfg, const ArtefactRegistry& registry) {
  SynthJob job;
  const config::ConfigNode empty = config::ConfigNode::map();
  const config::ConfigNode* page = cfg.find("page");
  job.page = page_options_binder().read(page != nullptr && !page->is_null() ? *page : empty, "page");
  const config::ConfigNode* art = cfg.find("artefacts");
  job.artefacts =
      std::make_shared<ArtefactPipeline>(registry, art != nullptr ? *art : config::ConfigNode(), "artefacts");
  return job;
}

uint64_t page_seed(uint64_t seed, uint64_t index) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (index + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

Page render_page(const PageRenderer& renderer, const ArtefactPipeline& artefacts, const data::Record& record,
                 uint64_t seed, const std::vector<data::BeatFiducials>* beats) {
  Page page = renderer.render(record, seed, beats);
  artefacts.apply(page, page_seed(seed, 0xA57E));
  return page;
}

void scale_page(Page& page, double factor) {
  ECG_CHECK(factor > 0, "synth: scale must be > 0, got ", factor);
  if (factor == 1.0) return;
  resize_page(page, cv::Size(std::max(1, static_cast<int>(std::lround(page.image.cols * factor))),
                             std::max(1, static_cast<int>(std::lround(page.image.rows * factor)))));
}

void resize_page(Page& page, cv::Size size) {
  ECG_CHECK(size.width > 0 && size.height > 0, "resize_page: size must be positive, got ", size.width, "x",
            size.height);
  if (size == page.image.size()) return;
  const double fx = static_cast<double>(size.width) / page.truth.width;
  const double fy = static_cast<double>(size.height) / page.truth.height;
  cv::Mat out;
  cv::resize(page.image, out, size, 0, 0, fx < 1 && fy < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  page.image = out;
  const cv::Matx33d h(fx, 0, 0.5 * fx - 0.5, 0, fy, 0.5 * fy - 0.5, 0, 0, 1);
  page.truth.apply_homography(h);
  page.truth.width = size.width;
  page.truth.height = size.height;
  page.truth.px_per_mm_x *= fx;
  page.truth.px_per_mm_y *= fy;
}

cv::Mat lead_mask(const PageTruth& truth, int thickness) {
  cv::Mat mask = cv::Mat::zeros(truth.height, truth.width, CV_8U);
  for (size_t k = 0; k < truth.leads.size(); ++k)
    draw_trace(mask, truth.leads[k].plotted_pixels, cv::Scalar(static_cast<double>(k + 1)), thickness, cv::LINE_8);
  return mask;
}

data::Record plotted_signal(const PageTruth& truth, const data::Record& record) {
  data::Record out;
  out.id = record.id;
  out.fs_hz = record.fs_hz;
  out.leads = data::standard_leads();
  out.units.assign(out.leads.size(), "mV");
  const int64_t n = record.num_samples();
  out.signal = torch::full({static_cast<int64_t>(out.leads.size()), n}, NAN, torch::kFloat);
  const auto src = record.signal.to(torch::kFloat).contiguous();
  auto dst = out.signal.accessor<float, 2>();
  const auto s = src.accessor<float, 2>();
  for (const auto& l : truth.leads) {
    const int64_t in = record.lead_index(l.lead_name), o = out.lead_index(l.lead_name);
    if (in < 0 || o < 0) continue;
    std::vector<bool> clipped(static_cast<size_t>(l.end_sample - l.start_sample), false);
    for (int64_t c : l.clipped_samples)
      if (c >= 0 && c < static_cast<int64_t>(clipped.size())) clipped[static_cast<size_t>(c)] = true;
    for (int64_t i = l.start_sample; i < l.end_sample && i < n; ++i)
      if (!clipped[static_cast<size_t>(i - l.start_sample)]) dst[o][i] = s[in][i];
  }
  return out;
}

std::filesystem::path write_page(const Page& page, const data::Record& record, const std::filesystem::path& dir,
                                 const std::string& stem, const PageFiles& files) {
  ECG_CHECK(files.image_format == "png" || files.image_format == "jpg", "synth: image format must be png or jpg, got '",
            files.image_format, "'");
  std::vector<uint8_t> buf;
  const auto image_path = dir / (stem + "." + files.image_format);
  if (files.image_format == "png")
    cv::imencode(".png", page.image, buf, {cv::IMWRITE_PNG_COMPRESSION, files.png_compression});
  else
    cv::imencode(".jpg", page.image, buf, {cv::IMWRITE_JPEG_QUALITY, files.jpeg_quality});
  write_file_atomic(image_path, std::string_view(reinterpret_cast<const char*>(buf.data()), buf.size()));
  write_file_atomic(dir / (stem + ".json"), to_json(page.truth).dump() + "\n");
  if (files.masks) {
    const int thickness = static_cast<int>(std::lround(page.truth.style.value("trace_px", 2.0)));
    cv::imencode(".png", lead_mask(page.truth, std::max(1, thickness)), buf,
                 {cv::IMWRITE_PNG_COMPRESSION, files.png_compression});
    write_file_atomic(dir / (stem + "-mask.png"),
                      std::string_view(reinterpret_cast<const char*>(buf.data()), buf.size()));
  }
  if (files.signal_format == "csv") {
    data::write_kaggle_csv(plotted_signal(page.truth, record), dir / (stem + ".csv"));
  } else if (files.signal_format == "wfdb") {
    auto r = plotted_signal(page.truth, record);
    r.id = stem;
    data::write_wfdb(r, dir);
  } else {
    ECG_CHECK(files.signal_format == "none", "synth: signal format must be csv, wfdb or none, got '",
              files.signal_format, "'");
  }
  return image_path;
}

}  // namespace ecg::render
