// `ecgtorch score --pred DIR --truth DIR --metric challenge2024|kaggle [--cap X] [--json]`:
// scores digitised signals (WFDB or Kaggle CSV) against the truth.

#include <iostream>

#include "commands.h"
#include "train/scoring.h"

namespace ecg::tools {

Command add_score_command(CLI::App& app) {
  CLI::App* sub =
      app.add_subcommand("score", "Score predicted signals against the truth (Challenge 2024 or Kaggle SNR)");
  struct Args {
    std::string pred, truth, metric = "kaggle";
    double cap = 384.0;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  sub->add_option("--pred", a->pred, "directory of predicted records (WFDB or Kaggle CSV)")->required();
  sub->add_option("--truth", a->truth, "directory of true records (WFDB or Kaggle CSV)")->required();
  sub->add_option("--metric", a->metric, "challenge2024 | kaggle")->capture_default_str();
  sub->add_option("--cap", a->cap, "kaggle: cap of the power ratio (384 = 25.84 dB)")->capture_default_str();
  sub->add_flag("--json", a->json, "print JSON");
  return Command{
      sub, [a]() {
        if (a->metric != "challenge2024" && a->metric != "kaggle") {
          throw UsageError("score: --metric must be challenge2024 or kaggle, got '" + a->metric + "'");
        }
        if (!(a->cap > 0)) throw UsageError("score: --cap must be > 0");
        const auto report = train::score_directories(a->pred, a->truth, train::ScoreOptions{a->metric, a->cap});
        if (a->json) {
          std::cout << train::to_json(report).dump(2) << "\n";
        } else {
          std::cout << train::to_text(report);
        }
        return 0;
      }};
}

}  // namespace ecg::tools
