// `ecgtorch score --pred DIR --truth DIR [--windows DIR] --metric challenge2024|kaggle
// [--cap X] [--json]`: scores digitised signals (WFDB or Kaggle CSV) against the truth;
// with --windows, the truth is the records that the pages plot, each lead over its
// page's window (train/scoring.h, windowed_truth).

#include <iostream>

#include "commands.h"
#include "monitor/ec57.h"
#include "train/scoring.h"

namespace ecg::tools {

Command add_score_command(CLI::App& app) {
  CLI::App* sub =
      app.add_subcommand("score", "Score predicted signals against the truth (Challenge 2024 or Kaggle SNR)");
  struct Args {
    std::string pred, truth, windows, metric = "kaggle";
    double cap = 384.0;
    bool json = false;
    monitor::Ec57Options beats;
  };
  auto a = std::make_shared<Args>();
  sub->add_option("--pred", a->pred, "directory of predicted records (WFDB or Kaggle CSV)")->required();
  sub->add_option("--truth", a->truth, "directory of true records (WFDB or Kaggle CSV)")->required();
  sub->add_option("--windows", a->windows,
                  "directory of page JSONs (lead_name, start_sample, end_sample): score each lead over its window; "
                  "--truth then holds the whole records");
  sub->add_option("--metric", a->metric,
                  "challenge2024 | kaggle | beats (EC57 beat-by-beat: <record>.ecgtorch against <record>.atr)")
      ->capture_default_str();
  sub->add_option("--tolerance-ms", a->beats.tolerance_s, "beats: matching window, ms (default 150)")
      ->transform([](const std::string& s) { return std::to_string(std::stod(s) / 1000.0); });
  sub->add_option("--start-s", a->beats.start_s, "beats: leave out beats before this time (EC57: 300)");
  sub->add_option("--pred-ext", a->beats.pred_ext, "beats: extension of the predicted annotations")
      ->capture_default_str();
  sub->add_option("--truth-ext", a->beats.truth_ext, "beats: extension of the reference annotations")
      ->capture_default_str();
  sub->add_option("--cap", a->cap, "kaggle: cap of the power ratio (384 = 25.84 dB)")->capture_default_str();
  sub->add_flag("--json", a->json, "print JSON");
  return Command{
      sub, [a]() {
        if (a->metric == "beats") {
          const auto report = monitor::score_beat_directories(a->pred, a->truth, a->beats);
          std::cout << (a->json ? monitor::to_json(report).dump(2) + "\n" : monitor::to_text(report));
          return 0;
        }
        if (a->metric != "challenge2024" && a->metric != "kaggle") {
          throw UsageError("score: --metric must be challenge2024, kaggle or beats, got '" + a->metric + "'");
        }
        if (!(a->cap > 0)) throw UsageError("score: --cap must be > 0");
        const train::ScoreOptions options{a->metric, a->cap};
        const auto report = a->windows.empty() ? train::score_directories(a->pred, a->truth, options)
                                               : train::score_windows(a->pred, a->truth, a->windows, options);
        if (a->json) {
          std::cout << train::to_json(report).dump(2) << "\n";
        } else {
          std::cout << train::to_text(report);
        }
        return 0;
      }};
}

}  // namespace ecg::tools
