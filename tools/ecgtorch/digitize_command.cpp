// `ecgtorch digitize --input IMAGE|PDF|DIR --out DIR [--format kaggle|wfdb|json[,...]]
// [--fs 500] [--reader classical|FILE [--fallback none|classical]] [--plots] [--threads N] [-q]`: reads ECG pages into
// calibrated signals (digitize/digitize_job.h says what is written). A page that fails
// is one line on stderr and exit status 1; the other pages are still written.

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "core/strings.h"
#include "digitize/digitize_job.h"
#include "export/reader_file.h"
#include "train/registries.h"

namespace ecg::tools {

Command add_digitize_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("digitize", "Read ECG page images or PDFs into signals (Kaggle CSV, WFDB, JSON)");
  struct Args {
    std::string input, out = ".", format = "kaggle", use_truth, fallback = "none";
    double fallback_beyond_mm = 0;
    digitize::DigitizeJob job;
    bool quiet = false;
  };
  auto a = std::make_shared<Args>();
  sub->add_option("input,--input", a->input, "a page image (.png .jpg .tif .bmp .webp), a PDF, or a folder of them")
      ->required();
  sub->add_option("--out", a->out, "output folder")->capture_default_str();
  sub->add_option("--format", a->format, "kaggle | wfdb | json, or several joined by commas")->capture_default_str();
  sub->add_option("--fs", a->job.read.fs_hz, "sample rate of the signals, Hz")
      ->check(CLI::Range(1.0, 100000.0))
      ->capture_default_str();
  sub->add_option(
         "--reader", a->job.reader,
         "the trace reader: classical, or a trained trace_reader: its checkpoint or its TorchScript / ONNX export")
      ->capture_default_str();
  sub->add_option("--fallback", a->fallback,
                  "a trained reader's columns under its confidence threshold: none (interpolated) | classical")
      ->check(CLI::IsMember({"none", "classical"}))
      ->capture_default_str();
  sub->add_option("--fallback-beyond-mm", a->fallback_beyond_mm,
                  "with --fallback: also take the fallback's trace where the two are further apart than this (mm; 0: "
                  "off)")
      ->check(CLI::Range(0.0, 1000.0))
      ->capture_default_str();
  sub->add_option("--speed", a->job.read.layout.speed_mm_s, "paper speed, mm/s")
      ->check(CLI::Range(1.0, 1000.0))
      ->capture_default_str();
  sub->add_option("--gain", a->job.read.layout.gain_mm_mv, "mm per mV where no calibration pulse is found")
      ->check(CLI::Range(0.5, 100.0))
      ->capture_default_str();
  sub->add_option("--pdf-dpi", a->job.image.pdf_dpi, "resolution PDF pages are rendered at")
      ->check(CLI::Range(50.0, 1200.0))
      ->capture_default_str();
  sub->add_option("--threads", a->job.threads, "pages read in parallel")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  sub->add_option("--use-truth", a->use_truth,
                  "scale | layout | scale,layout: take these stages from each page's ground truth (<stem>.json "
                  "beside it) instead of the image, to measure their loss");
  sub->add_flag("--plots", a->job.plots, "also <name>_plot.png: the page with the grid, rows, panels and traces found");
  sub->add_flag("-q,--quiet", a->quiet, "no progress bar and no summary");
  return Command{
      sub, [a]() {
        digitize::DigitizeJob job = a->job;
        job.input = a->input;
        job.out_dir = a->out;
        job.formats.clear();
        for (const auto& f : split(a->format, ',')) {
          const std::string name = trim(f);
          if (name != "kaggle" && name != "wfdb" && name != "json") {
            throw UsageError(
                "digitize: --format must be kaggle, wfdb or json (or several joined by "
                "commas), got '" +
                a->format + "'");
          }
          job.formats.push_back(name);
        }
        for (const auto& f : split(a->use_truth, ',')) {
          const std::string stage = trim(f);
          if (stage.empty()) continue;
          if (stage != "scale" && stage != "layout")
            throw UsageError("digitize: --use-truth must be scale, layout or scale,layout, got '" + a->use_truth + "'");
          job.use_truth.push_back(stage);
        }
        const auto names = digitize::trace_reader_names();
        if (std::find(names.begin(), names.end(), job.reader) == names.end()) {
          if (!std::filesystem::is_regular_file(job.reader))
            throw UsageError(
                "digitize: --reader must be classical or a trace_reader file (checkpoint or export), got '" +
                job.reader + "' (no such file)");
          std::shared_ptr<const digitize::TraceReader> fallback;
          if (a->fallback != "none") fallback = digitize::make_trace_reader(a->fallback);
          if (a->fallback_beyond_mm > 0 && !fallback)
            throw UsageError("digitize: --fallback-beyond-mm needs --fallback classical");
          job.trace_reader = exporting::open_trace_reader(job.reader, *train::make_builtin_registries(), fallback,
                                                          a->fallback_beyond_mm);
        } else if (a->fallback != "none") {
          throw UsageError("digitize: --fallback is for a trained --reader, not '" + job.reader + "'");
        }
        job.progress = !a->quiet && ::isatty(2) != 0;
        const auto sum = digitize::run_digitize(
            job, [](const digitize::PageOutcome& p) { std::cerr << "ecgtorch: error: " << p.error << "\n"; });
        const int failed = sum.failed();
        if (!a->quiet) {
          std::ostringstream line;
          line << std::fixed << std::setprecision(2) << "digitized " << sum.pages.size() - failed << " of "
               << sum.pages.size() << " page(s) with the " << (job.trace_reader ? job.trace_reader->name() : job.reader)
               << " reader in " << sum.seconds << " s; wrote " << a->format << " to " << job.out_dir.string();
          std::cout << line.str() << "\n";
        }
        return failed > 0 ? 1 : 0;
      }};
}

}  // namespace ecg::tools
