#include "render/image_pages_dataset.h"

#include <torch/torch.h>

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>

#include "core/error.h"
#include "core/options_binder.h"
#include "core/strings.h"
#include "data/record_io.h"
#include "render/ground_truth.h"
#include "render/image_tensor.h"
#include "render/page_renderer.h"
#include "render/page_targets.h"
#include "render/synth_job.h"

namespace fs = std::filesystem;

namespace ecg::render {
namespace {

struct ImagePagesOptions {
  TORCH_ARG(std::string, root) = "";
  TORCH_ARG(std::string, records) = "";
  TORCH_ARG(int64_t, width) = 512;
  TORCH_ARG(int64_t, height) = 384;
  TORCH_ARG(int64_t, output_width) = 0;  // 0: width
  TORCH_ARG(bool, grayscale) = false;
};

struct PageFile {
  fs::path image, truth, record;
};

class ImagePages : public data::Dataset {
 public:
  explicit ImagePages(ImagePagesOptions o) : o_(std::move(o)) {
    if (o_.output_width() == 0) o_.output_width(o_.width());
    ECG_CHECK(!o_.root().empty(), "image_pages: root is empty (give the folder of page images and their JSON)");
    ECG_CHECK(fs::is_directory(o_.root()), "image_pages: root '", o_.root(), "' is not a directory");
    ECG_CHECK(!o_.records().empty(), "image_pages: records is empty (give the folder of the records the pages show)");
    std::map<std::string, fs::path> records;
    for (const auto& f : data::find_record_files(o_.records(), "image_pages: records"))
      records.emplace(f.stem().string(), f);
    std::vector<fs::path> images;
    for (const auto& e : fs::recursive_directory_iterator(o_.root())) {
      if (!e.is_regular_file()) continue;
      const std::string ext = to_lower(e.path().extension().string());
      if ((ext == ".png" || ext == ".jpg" || ext == ".jpeg") &&
          fs::is_regular_file(fs::path(e.path()).replace_extension(".json")))
        images.push_back(e.path());
    }
    std::sort(images.begin(), images.end());
    ECG_CHECK(!images.empty(), "image_pages: no image with a .json beside it under '", o_.root(), "'");
    static const std::regex page_index("-[0-9]+$");
    for (const auto& img : images) {
      const std::string stem = img.stem().string();
      auto it = records.find(stem);
      if (it == records.end()) it = records.find(std::regex_replace(stem, page_index, ""));
      ECG_CHECK(it != records.end(), img.string(), ": no record '", std::regex_replace(stem, page_index, ""),
                "' (.hea or .csv) under '", o_.records(), "'");
      files_.push_back({img, fs::path(img).replace_extension(".json"), it->second});
    }
  }

  std::optional<int64_t> size() const override { return static_cast<int64_t>(files_.size()); }
  std::string example_id(int64_t i) const override { return files_.at(static_cast<size_t>(i)).image.stem().string(); }

  data::Example get(int64_t i) const override {
    ECG_CHECK(i >= 0 && i < static_cast<int64_t>(files_.size()), "image_pages: index ", i, " out of range [0, ",
              files_.size(), ")");
    const PageFile& f = files_[static_cast<size_t>(i)];
    Page page;
    page.image = cv::imread(f.image.string(), cv::IMREAD_COLOR);
    ECG_CHECK(!page.image.empty(), f.image.string(), ": not a readable image");
    page.truth = read_page_truth(f.truth);
    ECG_CHECK(page.truth.width == page.image.cols && page.truth.height == page.image.rows, f.truth.string(),
              ": the truth is for a ", page.truth.width, " x ", page.truth.height, " image but ", f.image.string(),
              " is ", page.image.cols, " x ", page.image.rows);
    const data::Record record = data::read_record(f.record);
    resize_page(page, cv::Size(static_cast<int>(o_.width()), static_cast<int>(o_.height())));
    data::Example ex;
    ex.input = image_to_input(page.image, o_.grayscale());
    TraceTargets t;
    try {
      t = trace_targets(page.truth, record, o_.width(), o_.output_width());
    } catch (const Error& e) {
      throw Error(str(f.truth.string(), ": ", e.what()));
    }
    put_trace_targets(ex, std::move(t), page.truth);
    return ex;
  }

 private:
  ImagePagesOptions o_;
  std::vector<PageFile> files_;
};

}  // namespace

void register_image_pages_dataset(data::DatasetRegistry& registry) {
  config::OptionsBinder<ImagePagesOptions> b("dataset 'image_pages'");
  ECG_BIND(b, root, "folder of page images (.png, .jpg) with their ground-truth .json beside them");
  ECG_BIND(b, records, "folder of the records the pages show (.hea, .csv), matched by stem");
  ECG_BIND(b, width, "input image width, px").min_value = 8;
  ECG_BIND(b, height, "input image height, px").min_value = 8;
  ECG_BIND(b, output_width, "columns of the per-lead mV target (0 = width)").min_value = 0;
  ECG_BIND(b, grayscale, "one grey channel instead of RGB");
  registry.add("image_pages",
               "page images on disk with ground-truth JSON (ecg-image-kit's or ours), scored against their records", b,
               [](const ImagePagesOptions& o) { return std::make_shared<ImagePages>(o); });
}

}  // namespace ecg::render
