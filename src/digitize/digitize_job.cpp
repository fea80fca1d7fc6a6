#include "digitize/digitize_job.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <opencv2/imgcodecs.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/progress.h"
#include "digitize/page_output.h"

namespace fs = std::filesystem;

namespace ecg::digitize {
namespace {

void write_plot(const cv::Mat& image, const PageReading& r, const fs::path& file) {
  std::vector<uchar> png;
  ECG_CHECK(cv::imencode(".png", reading_overlay(image, r), png), file.string(), ": cannot encode the plot");
  write_file_atomic(file, std::string_view(reinterpret_cast<const char*>(png.data()), png.size()));
}

// All pages of one file; failures become outcomes.
std::vector<PageOutcome> digitize_file(const fs::path& file, const DigitizeJob& job, const TraceReader& reader) {
  std::vector<PageImage> pages;
  try {
    pages = load_page_images(file, job.image);
  } catch (const std::exception& e) {
    PageOutcome o;
    o.source = file.string();
    o.error = e.what();
    return {o};
  }
  std::vector<PageOutcome> out;
  for (const auto& page : pages) {
    PageOutcome o;
    o.source = file.string();
    o.name = page.name;
    try {
      PageReadOptions ro = job.read;
      if (page.page_width_mm > 0) ro.geometry.page_width_mm = page.page_width_mm;
      render::PageTruth truth;
      if (!job.use_truth.empty()) {
        fs::path json = file;
        json.replace_extension(".json");
        truth = render::read_page_truth(json);
        ro.truth = &truth;
        for (const auto& stage : job.use_truth) {
          ro.truth_scale = ro.truth_scale || stage == "scale";
          ro.truth_layout = ro.truth_layout || stage == "layout";
        }
      }
      const PageReading r = read_page(page.bgr, reader, ro);
      write_reading(r, job.out_dir, page.name, job.formats);
      if (job.plots) write_plot(page.bgr, r, job.out_dir / (page.name + "_plot.png"));
      o.ok = true;
      o.layout = r.layout.name;
      o.leads = static_cast<int>(r.signals.leads.size());
      for (const auto& l : r.signals.leads) o.confidence += l.confidence / std::max<size_t>(1, r.signals.leads.size());
      o.seconds = r.seconds;
    } catch (const std::exception& e) {
      const std::string what = e.what();
      const std::string where = pages.size() > 1 ? file.string() + " (" + page.name + ")" : file.string();
      o.error = what.rfind(file.string(), 0) == 0 ? what : where + ": " + what;
    }
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace

int DigitizeSummary::failed() const {
  return static_cast<int>(std::count_if(pages.begin(), pages.end(), [](const PageOutcome& p) { return !p.ok; }));
}

std::vector<fs::path> find_page_files(const fs::path& input) {
  ECG_CHECK(fs::exists(input), input.string(), ": no such file or folder");
  if (!fs::is_directory(input)) return {input};
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(input)) {
    if (e.is_regular_file() && is_page_file(e.path())) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ECG_CHECK(!files.empty(), input.string(),
            ": no page files (expected .png, .jpg, .jpeg, .tif, .tiff, .bmp, .webp or .pdf)");
  return files;
}

DigitizeSummary run_digitize(const DigitizeJob& job, const std::function<void(const PageOutcome&)>& on_error) {
  const auto start = std::chrono::steady_clock::now();
  ECG_CHECK(job.threads >= 1, "digitize: threads must be >= 1, got ", job.threads);
  ECG_CHECK(!job.formats.empty(), "digitize: no output format");
  for (const auto& f : job.formats) {
    ECG_CHECK(std::find(output_formats().begin(), output_formats().end(), f) != output_formats().end(),
              "digitize: unknown format '", f, "' (expected kaggle, wfdb or json)");
  }
  const std::shared_ptr<const TraceReader> reader =
      job.trace_reader ? job.trace_reader : std::shared_ptr<const TraceReader>(make_trace_reader(job.reader));
  const auto files = find_page_files(job.input);
  std::error_code ec;
  fs::create_directories(job.out_dir, ec);
  ECG_CHECK(fs::is_directory(job.out_dir), job.out_dir.string(), ": cannot create the output folder (",
            ec ? ec.message() : "not a folder", ")");

  std::vector<std::vector<PageOutcome>> per_file(files.size());
  Progress progress(static_cast<int64_t>(files.size()), "page", job.progress);
  std::atomic<size_t> next{0};
  std::mutex report;
  auto work = [&]() {
    for (size_t i = next++; i < files.size(); i = next++) {
      per_file[i] = digitize_file(files[i], job, *reader);
      for (const auto& o : per_file[i]) {
        if (!o.ok && on_error) {
          std::lock_guard<std::mutex> lock(report);
          on_error(o);
        }
      }
      progress.tick();
    }
  };
  const int n = std::min<int>(job.threads, static_cast<int>(files.size()));
  if (n <= 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < n; ++t) pool.emplace_back(work);
    for (auto& t : pool) t.join();
  }
  DigitizeSummary s;
  for (auto& v : per_file) {
    for (auto& o : v) s.pages.push_back(std::move(o));
  }
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return s;
}

}  // namespace ecg::digitize
