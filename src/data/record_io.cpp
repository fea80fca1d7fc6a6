#include "data/record_io.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "core/error.h"
#include "data/annotations.h"
#include "data/dsp.h"
#include "data/kaggle_csv.h"
#include "data/wfdb.h"

namespace fs = std::filesystem;

namespace ecg::data {

Record read_record(const fs::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".csv") return read_kaggle_csv(path);
  fs::path base = path;
  if (ext == ".hea" || ext == ".dat" || ext == ".mat") base.replace_extension();
  ECG_CHECK(fs::is_regular_file(base.string() + ".hea"), path.string(), ": not a record: no WFDB header ",
            base.string(), ".hea and not a Kaggle .csv");
  return read_wfdb(base);
}

std::vector<fs::path> convert_record(const fs::path& in, const std::string& to, const fs::path& out,
                                     const ConvertOptions& options) {
  Record r = read_record(in);
  const double from_hz = r.fs_hz;
  if (options.fs_hz > 0 && options.fs_hz != r.fs_hz) {
    r.signal = resample(r.signal, r.fs_hz, options.fs_hz);
    r.fs_hz = options.fs_hz;
  }
  if (to == "csv") {
    ECG_CHECK(!options.format, "convert: --format applies to --to wfdb only");
    ECG_CHECK(options.annotations.empty(), "convert: --annotations applies to --to wfdb only");
    const fs::path file = out.extension() == ".csv" ? out : out / (r.id + ".csv");
    write_kaggle_csv(r, file);
    return {file};
  }
  ECG_CHECK(to == "wfdb", "convert: unknown target format '", to, "' (expected csv or wfdb)");
  WfdbWriteOptions o;
  fs::path base = in;
  if (in.extension() != ".csv") {
    // Keep the source's gains and baselines, so a WFDB -> WFDB conversion is exact.
    if (in.extension() == ".hea" || in.extension() == ".dat" || in.extension() == ".mat") base.replace_extension();
    const auto h = read_wfdb_header(base);
    for (const auto& s : h.signals) {
      o.gains.push_back(s.gain);
      o.baselines.push_back(s.baseline);
    }
    const int64_t f = h.signals.empty() ? 16 : h.signals[0].format;
    o.format = (f == 212) ? 212 : 16;
  } else {
    base.replace_extension();
  }
  if (options.format) o.format = *options.format;
  // Read every annotation file before writing anything, so a missing one leaves no output.
  std::vector<std::pair<fs::path, std::vector<Annotation>>> moved;
  for (const auto& ext : options.annotations) {
    const fs::path src = base.string() + "." + ext;
    ECG_CHECK(fs::is_regular_file(src), src.string(), ": no annotation file '", ext, "' beside the record");
    auto a = read_mit_annotations(src);
    for (auto& x : a) x.sample = std::llround(static_cast<double>(x.sample) * r.fs_hz / from_hz);
    moved.emplace_back(out / (r.id + "." + ext), std::move(a));
  }
  write_wfdb(r, out, o);
  std::vector<fs::path> files = {out / (r.id + ".hea"), out / (r.id + ".dat")};
  for (const auto& [path, a] : moved) {
    write_mit_annotations(a, path);
    files.push_back(path);
  }
  return files;
}

std::vector<LeadStats> lead_stats(const Record& r) {
  std::vector<LeadStats> out;
  const auto sig = r.signal.to(torch::kFloat64);
  for (int64_t i = 0; i < r.num_leads(); ++i) {
    LeadStats s;
    s.name = r.leads[i];
    s.units = i < static_cast<int64_t>(r.units.size()) ? r.units[i] : "mV";
    const auto v = sig[i].masked_select(torch::isfinite(sig[i]));
    s.n = v.numel();
    if (s.n > 0) {
      s.mean = v.mean().item<double>();
      s.std = v.std(/*unbiased=*/false).item<double>();
      s.min = v.min().item<double>();
      s.max = v.max().item<double>();
    } else {
      s.mean = s.std = s.min = s.max = std::nan("");
    }
    out.push_back(s);
  }
  return out;
}

nlohmann::json describe_json(const Record& r) {
  nlohmann::json j;
  j["id"] = r.id;
  j["fs_hz"] = r.fs_hz;
  j["samples"] = r.num_samples();
  j["duration_s"] = r.fs_hz > 0 ? static_cast<double>(r.num_samples()) / r.fs_hz : 0.0;
  j["start_time"] = r.start_time;
  j["comments"] = r.comments;
  j["leads"] = nlohmann::json::array();
  for (const auto& s : lead_stats(r)) {
    auto num = [](double v) -> nlohmann::json { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
    j["leads"].push_back({{"name", s.name},
                          {"units", s.units},
                          {"n", s.n},
                          {"mean", num(s.mean)},
                          {"std", num(s.std)},
                          {"min", num(s.min)},
                          {"max", num(s.max)}});
  }
  return j;
}

std::string describe_text(const Record& r) {
  std::ostringstream out;
  out << "record " << r.id << ": " << r.num_leads() << " leads, " << r.fs_hz << " Hz, " << r.num_samples()
      << " samples (" << (r.fs_hz > 0 ? static_cast<double>(r.num_samples()) / r.fs_hz : 0.0) << " s)";
  if (!r.start_time.empty()) out << ", start " << r.start_time;
  out << "\n";
  for (const auto& c : r.comments) out << "#" << c << "\n";
  out << std::left << std::setw(8) << "lead" << std::setw(7) << "units" << std::right << std::setw(9) << "n"
      << std::setw(11) << "mean" << std::setw(11) << "std" << std::setw(11) << "min" << std::setw(11) << "max"
      << "\n";
  out << std::fixed << std::setprecision(4);
  for (const auto& s : lead_stats(r)) {
    out << std::left << std::setw(8) << s.name << std::setw(7) << s.units << std::right << std::setw(9) << s.n
        << std::setw(11) << s.mean << std::setw(11) << s.std << std::setw(11) << s.min << std::setw(11) << s.max
        << "\n";
  }
  return out.str();
}

std::vector<std::filesystem::path> find_record_files(const std::filesystem::path& dir, const std::string& what) {
  ECG_CHECK(std::filesystem::is_directory(dir), what, " ", dir.string(), " is not a directory");
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const auto ext = e.path().extension();
    if (ext == ".hea" || ext == ".csv") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  ECG_CHECK(!out.empty(), what, ": no records (.hea or .csv) under ", dir.string());
  return out;
}

}  // namespace ecg::data
