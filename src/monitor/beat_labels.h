#pragma once
// Beat labels and the files that hold them. A label's sample is in the input record's own
// samples, so the annotation file annotates that record:
//   <record>.ecgtorch   MIT annotation file (WFDB tools, wfdb-python, viewers): N as 'N',
//                       S as 'A', V as 'V', F as 'F', Q as 'Q' (another class name: 'Q'
//                       with the name in aux);
//   <record>.csv        sample,time_s,class,p_<class>... one row per beat;
//   <record>.json       the same as an array, with the record, lead and rate.
// Every file is written atomically.

#include <filesystem>
#include <string>
#include <vector>

namespace ecg::monitor {

struct BeatLabel {
  int64_t sample = 0;
  double time_s = 0;
  std::string label;
  std::vector<float> probabilities;  // per class, in the model's class order
};

std::string beat_csv_header(const std::vector<std::string>& class_names);
std::string beat_csv_row(const BeatLabel& beat);

/// formats: any of "atr", "csv", "json". Returns the files written.
std::vector<std::filesystem::path> write_beat_labels(const std::vector<BeatLabel>& beats,
                                                     const std::vector<std::string>& class_names,
                                                     const std::string& record, const std::string& lead, double fs_hz,
                                                     const std::filesystem::path& out_dir,
                                                     const std::vector<std::string>& formats);

}  // namespace ecg::monitor
