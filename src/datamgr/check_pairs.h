#pragma once
// Checks that a dataset's images, signals and metadata belong together.
//
//   auto problems = check_pairs("data/kaggle", PairLayout::kKaggle, {});
//   for (auto& p : problems) std::cout << p.record << ": " << p.problem << "\n";
//
// Layouts:
// - kaggle: train.csv (id, fs, sig_len) and train/<id>/ holding <id>.csv (the 12
//   leads as columns, sig_len rows) and images <id>-<type>.png|jpg. Every id of
//   train.csv needs its signal and at least one image; every folder and image needs a
//   train.csv row; fs must be one of the competition's rates and sig_len = 10 s * fs.
// - physionet2024: WFDB records (.hea + signal files) whose header comments list their
//   images ("# Image: 00001_lr-0.png, ..."); every listed image must exist and every
//   image <record>-<k>.png needs a header that lists it.
// - wfdb: every .hea parses, its signal files exist and hold num_samples frames.
// For the WFDB layouts the signals must be exactly `leads` (by default the 12 standard
// leads, case-insensitive; empty: any).

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ecg::datamgr {

enum class PairLayout { kKaggle, kPhysionet2024, kWfdb };

/// "kaggle" | "physionet2024" | "wfdb"; throws ecg::Error listing them.
PairLayout parse_pair_layout(const std::string& name);

struct PairCheckOptions {
  std::vector<std::string> leads = {"I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"};
};

struct PairProblem {
  std::string record;   // relative record id or path
  std::string problem;  // one line
};

struct PairCheckReport {
  int64_t records = 0;  // records looked at
  std::vector<PairProblem> problems;
};

PairCheckReport check_pairs(const std::filesystem::path& root, PairLayout layout, const PairCheckOptions& options);

nlohmann::json pair_report_to_json(const PairCheckReport& report);

}  // namespace ecg::datamgr
