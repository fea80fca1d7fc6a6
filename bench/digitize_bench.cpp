// Page reading plus the classical reader on one core, stage by stage.
//
//   build/bench/digitize_bench [--pages DIR] [--repeat 3]
//
// DIR: page images (default ../shared/data/images/ecg-image-kit-dev/clean); without it,
// a page rendered here (2200 x 1700, 3x4+1). Each page is decoded once, then read
// `repeat` times with OpenCV on one thread; the median of each stage is kept per page,
// and the table gives the mean over pages and the slowest page. Decoding is not
// counted. Prints a markdown table.

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "data/synth.h"
#include "digitize/classical_reader.h"
#include "digitize/page_geometry.h"
#include "digitize/page_reader.h"
#include "render/page_renderer.h"

namespace fs = std::filesystem;
using namespace ecg::digitize;

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

const char* kStages[] = {"geometry", "warp", "ink", "layout", "trace", "signals", "total"};

std::map<std::string, double> read_once(const cv::Mat& image, const TraceReader& reader) {
  std::map<std::string, double> t;
  auto t0 = Clock::now();
  const PageGeometry g = find_geometry(image, GeometryOptions());
  t["geometry"] = ms_since(t0);
  auto t1 = Clock::now();
  const cv::Mat page = warp_to_canonical(image, g);
  t["warp"] = ms_since(t1);
  t1 = Clock::now();
  const InkMap ink = find_ink(page, g.canonical_px_per_mm);
  t["ink"] = ms_since(t1);
  t1 = Clock::now();
  LayoutOptions lo;
  lo.px_per_mm = g.canonical_px_per_mm;
  const FoundLayout f = find_layout(ink, lo);
  t["layout"] = ms_since(t1);
  t1 = Clock::now();
  const auto traces = reader.read(PageView{page, ink, f});
  t["trace"] = ms_since(t1);
  t1 = Clock::now();
  const PageSignals s = to_signals(f, traces, 500);
  t["signals"] = ms_since(t1);
  t["total"] = ms_since(t0);
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = "../shared/data/images/ecg-image-kit-dev/clean";
  int repeat = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--pages")) dir = argv[i + 1];
    if (!std::strcmp(argv[i], "--repeat")) repeat = std::max(1, std::atoi(argv[i + 1]));
  }
  cv::setNumThreads(1);
  std::vector<std::pair<std::string, cv::Mat>> pages;
  if (fs::is_directory(dir)) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir)) {
      const auto ext = e.path().extension();
      if (ext == ".png" || ext == ".jpg" || ext == ".jpeg") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) pages.emplace_back(f.filename().string(), cv::imread(f.string(), cv::IMREAD_COLOR));
  } else {
    const auto rec = ecg::data::synthesize(ecg::data::synth_class_options("sinus", 1)).record;
    pages.emplace_back("rendered 3x4+1", ecg::render::PageRenderer(ecg::render::PageOptions()).render(rec, 1).image);
  }
  const ClassicalReader reader;
  std::map<std::string, double> mean, worst;
  std::string worst_page;
  for (const auto& [name, image] : pages) {
    std::map<std::string, std::vector<double>> runs;
    for (int r = 0; r < repeat; ++r) {
      for (const auto& [k, v] : read_once(image, reader)) runs[k].push_back(v);
    }
    for (auto& [k, v] : runs) {
      std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
      const double med = v[v.size() / 2];
      mean[k] += med / static_cast<double>(pages.size());
      if (k == "total" && med > worst["total"]) worst_page = name;
      worst[k] = std::max(worst[k], med);
    }
  }
  std::printf("digitize_bench: %zu page(s) from %s, %d run(s) each, one thread\n\n", pages.size(),
              fs::is_directory(dir) ? dir.string().c_str() : "the renderer", repeat);
  std::printf("| stage | mean ms | slowest page ms |\n| --- | --- | --- |\n");
  for (const char* k : kStages) std::printf("| %s | %.1f | %.1f |\n", k, mean[k], worst[k]);
  std::printf("\nslowest page: %s\n", worst_page.c_str());
  return 0;
}
