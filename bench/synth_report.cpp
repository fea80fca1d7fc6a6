// Synthesiser realism and speed: for every class, measures heart rate (R-peak detector
// on lead II), PR, QRS width and QT (from the generator's fiducials) over 20 seeds,
// writes experiments/signals/README.md with the table and one PNG per class, and times
// throughput in 10 s, 12-lead, 500 Hz records per second on one core.
//
//   build/bench/synth_report experiments/signals
#include <ATen/Parallel.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "data/beats.h"
#include "data/synth.h"

namespace {

struct Stats {
  double lo = 1e9, hi = -1e9, sum = 0;
  int n = 0;
  void add(double v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sum += v;
    ++n;
  }
  std::string str(int digits = 0) const {
    if (n == 0) return "-";
    std::ostringstream o;
    o << std::fixed << std::setprecision(digits) << sum / n << " (" << lo << "-" << hi << ")";
    return o.str();
  }
};

void plot(const ecg::data::SynthEcg& e, const std::string& title, const std::filesystem::path& file) {
  const int w = 1200, row_h = 110, rows = 6;
  cv::Mat img(rows * row_h + 40, w, CV_8UC3, cv::Scalar(255, 255, 255));
  cv::putText(img, title, {10, 25}, cv::FONT_HERSHEY_SIMPLEX, 0.7, {0, 0, 0}, 2);
  const auto sig = e.record.signal;
  const int64_t n = std::min<int64_t>(sig.size(1), static_cast<int64_t>(4 * e.record.fs_hz));  // 4 s
  for (int lead = 0; lead < 12; ++lead) {
    const int col = lead / 6, row = lead % 6;
    const int x0 = 60 + col * (w / 2), y0 = 40 + row * row_h + row_h / 2;
    const double px_per_mv = 40, px_per_sample = (w / 2 - 80) / static_cast<double>(n);
    cv::putText(img, e.record.leads[lead], {x0 - 50, y0 + 5}, cv::FONT_HERSHEY_SIMPLEX, 0.5, {0, 0, 0}, 1);
    cv::line(img, {x0, y0}, {x0 + static_cast<int>(n * px_per_sample), y0}, {220, 220, 220}, 1);
    auto a = sig[lead];
    for (int64_t k = 1; k < n; ++k) {
      const cv::Point p0(x0 + static_cast<int>((k - 1) * px_per_sample),
                         y0 - static_cast<int>(a[k - 1].item<float>() * px_per_mv));
      const cv::Point p1(x0 + static_cast<int>(k * px_per_sample),
                         y0 - static_cast<int>(a[k].item<float>() * px_per_mv));
      cv::line(img, p0, p1, {20, 20, 160}, 1, cv::LINE_AA);
    }
  }
  cv::imwrite(file.string(), img);
}

}  // namespace

int main(int argc, char** argv) {
  at::set_num_threads(1);
  const std::filesystem::path out = argc > 1 ? argv[1] : "experiments/signals";
  std::filesystem::create_directories(out);
  std::ostringstream table;
  table << "| class | labels (seed 0) | HR bpm | PR ms | QRS ms | QT ms | QTc ms (Bazett) "
           "|\n|---|---|---|---|---|---|---|\n";
  for (const auto& cls : ecg::data::synth_classes()) {
    Stats hr, pr, qrs, qt, qtc;
    for (int seed = 0; seed < 20; ++seed) {
      const auto e = ecg::data::synthesize(ecg::data::synth_class_options(cls, seed));
      const double fs = e.record.fs_hz;
      const auto peaks = ecg::data::detect_r_peaks(e.record.signal[1], fs);
      if (peaks.size() >= 2) hr.add(60.0 * (peaks.size() - 1) / ((peaks.back() - peaks.front()) / fs));
      for (size_t i = 1; i < e.beats.size(); ++i) {
        const auto& b = e.beats[i];
        const double rr = (b.r_peak - e.beats[i - 1].r_peak) / fs;
        if (b.type != 'N' || e.beats[i - 1].type != 'N') continue;  // intervals of conducted sinus beats
        if (b.p_onset >= 0) pr.add(1000.0 * (b.qrs_onset - b.p_onset) / fs);
        qrs.add(1000.0 * (b.qrs_offset - b.qrs_onset) / fs);
        qt.add(1000.0 * (b.t_offset - b.qrs_onset) / fs);
        qtc.add(1000.0 * (b.t_offset - b.qrs_onset) / fs / std::sqrt(rr));
      }
      if (seed == 0) {
        std::string labels;
        for (const auto& l : e.labels) labels += (labels.empty() ? "" : ", ") + l;
        table << "| " << cls << " | " << labels << " | ";
        plot(e, cls + " (seed 0): " + labels, out / (cls + ".png"));
      }
    }
    table << hr.str() << " | " << pr.str() << " | " << qrs.str() << " | " << qt.str() << " | " << qtc.str() << " |\n";
  }
  // Throughput on one core.
  const int records = 300;
  const auto t0 = std::chrono::steady_clock::now();
  for (int s = 0; s < records; ++s) {
    ecg::data::synthesize(ecg::data::synth_class_options(ecg::data::synth_classes()[s % 14], s).snr_db(20));
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::ostringstream speed;
  speed << std::fixed << std::setprecision(0) << records / secs;
  std::ofstream md(out / "README.md");
  md << "# Synthetic 12-lead signals: realism per class\n\n"
     << "Made by `build/bench/synth_report experiments/signals` (`make experiment-signals`). 20 seeds per class, "
     << "10 s at 500 Hz, no noise. Heart rate from the R-peak detector on lead II; PR, QRS and QT from the "
     << "generator's fiducials of conducted sinus beats (premature beats and the beats after them are left out). "
     << "Mean (min-max).\n\n"
     << table.str() << "\nExpected ranges: HR 60-100 bpm for sinus, < 60 bradycardia, > 100 tachycardia; PR 120-200 ms "
     << "(> 200 ms in first-degree AV block; none in AF and flutter); QRS 80-110 ms (>= 120 ms in bundle branch "
        "block); "
     << "QTc 350-460 ms.\n\nThroughput: " << speed.str()
     << " records per second on one core (10 s, 12 leads, 500 Hz, noise at 20 dB).\n\nPlots: one PNG per class, "
     << "the first 4 s of every lead (40 px per mV).\n";
  std::cout << table.str() << "throughput: " << speed.str() << " records/s/core\n";
  return 0;
}
