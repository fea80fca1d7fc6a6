#include "monitor/beat_labels.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <sstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/annotations.h"

namespace ecg::monitor {

std::string beat_csv_header(const std::vector<std::string>& class_names) {
  std::string h = "sample,time_s,class";
  for (const auto& c : class_names) h += ",p_" + c;
  return h + "\n";
}

std::string beat_csv_row(const BeatLabel& beat) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lld,%.4f,", static_cast<long long>(beat.sample), beat.time_s);
  std::string row = buf + beat.label;
  for (float p : beat.probabilities) {
    std::snprintf(buf, sizeof buf, ",%.5f", static_cast<double>(p));
    row += buf;
  }
  return row + "\n";
}

namespace {

data::Annotation annotation_of(const BeatLabel& b) {
  static const std::vector<std::pair<std::string, std::string>> kSymbol = {
      {"N", "N"}, {"S", "A"}, {"V", "V"}, {"F", "F"}, {"Q", "Q"}};
  data::Annotation a;
  a.sample = b.sample;
  a.code = data::annotation_code("Q");
  for (const auto& [cls, symbol] : kSymbol) {
    if (b.label == cls) a.code = data::annotation_code(symbol);
  }
  if (a.code == data::annotation_code("Q") && b.label != "Q") a.aux = b.label.substr(0, 255);
  return a;
}

}  // namespace

std::vector<std::filesystem::path> write_beat_labels(const std::vector<BeatLabel>& beats,
                                                     const std::vector<std::string>& class_names,
                                                     const std::string& record, const std::string& lead, double fs_hz,
                                                     const std::filesystem::path& out_dir,
                                                     const std::vector<std::string>& formats) {
  std::filesystem::create_directories(out_dir);
  std::vector<std::filesystem::path> written;
  for (const auto& f : formats) {
    if (f == "atr") {
      std::vector<data::Annotation> anns;
      for (const auto& b : beats) anns.push_back(annotation_of(b));
      written.push_back(out_dir / (record + ".ecgtorch"));
      data::write_mit_annotations(anns, written.back());
    } else if (f == "csv") {
      std::string text = beat_csv_header(class_names);
      for (const auto& b : beats) text += beat_csv_row(b);
      written.push_back(out_dir / (record + ".csv"));
      write_file_atomic(written.back(), text);
    } else if (f == "json") {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& b : beats)
        arr.push_back(
            {{"sample", b.sample}, {"time_s", b.time_s}, {"class", b.label}, {"probabilities", b.probabilities}});
      const nlohmann::json j = {
          {"record", record}, {"lead", lead}, {"fs_hz", fs_hz}, {"classes", class_names}, {"beats", arr}};
      written.push_back(out_dir / (record + ".json"));
      write_file_atomic(written.back(), j.dump(1) + "\n");
    } else {
      throw Error("detect: unknown format '" + f + "' (atr, csv, json)");
    }
  }
  return written;
}

}  // namespace ecg::monitor
