#pragma once
// `ecgtorch digitize` as a library call: every page file of an input (a file, or the page
// files directly inside a folder, in name order) is loaded (page_image.h), read
// (page_reader.h) and written (page_output.h), pages in parallel over `threads`.
// A page that fails (unreadable, truncated, too large, no ECG found) is reported through
// `on_error` as one line naming its file, and the other pages go on; nothing is written
// for it (every write is atomic, so no half file is left either).
//
//   DigitizeJob job; job.input = "scans/"; job.out_dir = "out/";
//   DigitizeSummary s = run_digitize(job, [](const PageOutcome& p) { std::cerr << p.error; });

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "digitize/page_image.h"
#include "digitize/page_reader.h"

namespace ecg::digitize {

struct DigitizeJob {
  std::filesystem::path input;  // a page file or a folder of them
  std::filesystem::path out_dir;
  std::vector<std::string> formats = {"kaggle"};
  std::string reader = "classical";                 // a registered reader (trace_reader.h), unless trace_reader is set
  std::shared_ptr<const TraceReader> trace_reader;  // a reader built by the caller (a trained one)
  PageReadOptions read;
  PageImageOptions image;
  // Oracle stages: "scale" and/or "layout" from each page's ground truth, `<stem>.json`
  // beside the page file (truth_layout.h). Empty: the image alone.
  std::vector<std::string> use_truth;
  bool plots = false;     // also <name>_plot.png (reading_overlay)
  bool progress = false;  // a progress bar on stderr (when it is a terminal)
  int threads = 1;
};

struct PageOutcome {
  std::string source;  // the input file
  std::string name;    // the output stem (empty when the file could not be loaded)
  bool ok = false;
  std::string error;  // "<file>: <what>" when !ok
  std::string layout;
  int leads = 0;
  double confidence = 0;  // mean over the page's leads
  double seconds = 0;
};

struct DigitizeSummary {
  std::vector<PageOutcome> pages;  // in input order (a PDF gives one per page)
  double seconds = 0;
  int failed() const;
};

/// The page files of `input`: itself when a file, else the page files (is_page_file)
/// directly inside it, sorted. Throws ecg::Error when it does not exist or holds none.
std::vector<std::filesystem::path> find_page_files(const std::filesystem::path& input);

/// Runs the job. Throws ecg::Error only for what stops every page (no input, an unknown
/// reader or format, an output folder that cannot be made); per-page failures are in the
/// summary and go to `on_error` (called from worker threads, one call at a time).
DigitizeSummary run_digitize(const DigitizeJob& job, const std::function<void(const PageOutcome&)>& on_error);

}  // namespace ecg::digitize
