#include "datamgr/check_pairs.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include "core/error.h"
#include "core/strings.h"
#include "data/kaggle_csv.h"
#include "data/record.h"
#include "data/wfdb.h"

namespace fs = std::filesystem;

namespace ecg::datamgr {
namespace {

bool is_image(const fs::path& p) {
  const std::string ext = to_lower(p.extension().string());
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

std::string rel(const fs::path& p, const fs::path& root) {
  return fs::relative(p, root).generic_string();
}

/// The CSV's header fields and its number of data rows, without parsing the numbers.
std::pair<std::vector<std::string>, int64_t> csv_shape(const fs::path& path) {
  std::ifstream in(path);
  ECG_CHECK(in, path.string(), ": cannot open");
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  std::vector<std::string> header;
  for (const auto& f : split(line, ',')) header.push_back(trim(f));
  int64_t rows = 0;
  while (std::getline(in, line)) {
    if (!trim(line).empty()) ++rows;
  }
  return {header, rows};
}

std::vector<std::string> missing_leads(const std::vector<std::string>& have, const std::vector<std::string>& want) {
  std::vector<std::string> out;
  for (const auto& w : want) {
    if (std::none_of(have.begin(), have.end(), [&](const std::string& h) { return data::same_lead_name(h, w); })) {
      out.push_back(w);
    }
  }
  return out;
}

std::vector<std::string> unexpected_leads(const std::vector<std::string>& have, const std::vector<std::string>& want) {
  return missing_leads(want, have);  // what `have` holds beyond `want`
}

void check_kaggle(const fs::path& root, const PairCheckOptions& o, PairCheckReport& report) {
  const fs::path index = root / "train.csv";
  std::error_code ec;
  ECG_CHECK(fs::is_regular_file(index, ec), root.string(), ": expected train.csv (the kaggle layout)");
  const auto entries = data::read_kaggle_index(index);
  const std::set<double> rates = {250, 256, 500, 512, 1000, 1025};
  std::set<std::string> ids;
  auto problem = [&](const std::string& record, const std::string& what) { report.problems.push_back({record, what}); };
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    const std::string record = "train/" + e.id;
    const std::string line = str("train.csv line ", i + 2);
    ++report.records;
    ids.insert(e.id);
    if (!rates.count(e.fs_hz))
      problem(record, str("fs ", e.fs_hz, " Hz (", line, ") is not one of 250, 256, 500, 512, 1000, 1025"));
    if (std::llround(e.fs_hz * 10) != e.sig_len) {
      problem(record, str("sig_len ", e.sig_len, " (", line, ") is not 10 s at ", e.fs_hz, " Hz (",
                          std::llround(e.fs_hz * 10), ")"));
    }
    const fs::path dir = root / "train" / e.id;
    const fs::path signal = dir / (e.id + ".csv");
    if (!fs::is_regular_file(signal, ec)) {
      problem(record, str("the signal ", rel(signal, root), " is missing"));
    } else {
      const auto [header, rows] = csv_shape(signal);
      if (rows != e.sig_len)
        problem(record, str(rel(signal, root), " has ", rows, " rows; ", line, " says sig_len ", e.sig_len));
      if (const auto m = missing_leads(header, o.leads); !m.empty()) {
        problem(record, str(rel(signal, root), " lacks the leads ", join(m, ", ")));
      }
      if (const auto u = unexpected_leads(header, o.leads); !u.empty()) {
        problem(record, str(rel(signal, root), " has unexpected columns ", join(u, ", ")));
      }
    }
    int64_t images = 0;
    if (fs::is_directory(dir, ec)) {
      for (const auto& f : fs::directory_iterator(dir, ec)) {
        if (is_image(f.path()) && f.path().stem().string().rfind(e.id + "-", 0) == 0) ++images;
      }
    }
    if (images == 0) problem(record, "no image " + e.id + "-<type>.png beside the signal");
  }
  const fs::path train = root / "train";
  if (fs::is_directory(train, ec)) {
    std::vector<fs::path> dirs;
    for (const auto& d : fs::directory_iterator(train, ec)) dirs.push_back(d.path());
    std::sort(dirs.begin(), dirs.end());
    for (const auto& d : dirs) {
      const std::string id = d.filename().string();
      if (!fs::is_directory(d, ec)) continue;
      if (!ids.count(id)) {
        problem("train/" + id, "has no row in train.csv (no fs / sig_len for its images and signal)");
        continue;
      }
      std::vector<fs::path> files;
      for (const auto& f : fs::directory_iterator(d, ec)) files.push_back(f.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        if (is_image(f) && f.stem().string().rfind(id + "-", 0) != 0) {
          problem("train/" + id, str("image ", rel(f, root), " does not belong to record ", id));
        }
      }
    }
  }
}

void check_wfdb(const fs::path& root, bool images, const PairCheckOptions& o, PairCheckReport& report) {
  std::error_code ec;
  std::vector<fs::path> headers, image_files;
  for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) break;
    if (!it->is_regular_file(ec)) continue;
    if (it->path().extension() == ".hea") headers.push_back(it->path());
    if (images && is_image(it->path())) image_files.push_back(it->path());
  }
  ECG_CHECK(!ec, root.string(), ": cannot list: ", ec.message());
  std::sort(headers.begin(), headers.end());
  std::sort(image_files.begin(), image_files.end());
  std::set<fs::path> listed_images;
  std::set<fs::path> records;
  auto problem = [&](const std::string& record, const std::string& what) { report.problems.push_back({record, what}); };
  for (const auto& h : headers) {
    ++report.records;
    fs::path stem = h;
    stem.replace_extension();
    records.insert(stem);
    const std::string record = rel(stem, root);
    data::WfdbHeader header;
    try {
      header = data::read_wfdb_header(h);
    } catch (const Error& e) {
      problem(record, e.what());
      continue;
    }
    std::vector<std::string> names;
    for (const auto& s : header.signals) names.push_back(s.description);
    if (!o.leads.empty()) {
      if (const auto m = missing_leads(names, o.leads); !m.empty()) problem(record, "lacks the leads " + join(m, ", "));
      if (const auto u = unexpected_leads(names, o.leads); !u.empty())
        problem(record, "has unexpected signals " + join(u, ", "));
    }
    // Signal files: present, and long enough for num_samples frames.
    std::map<std::string, std::pair<int64_t, int64_t>> files;  // file -> (signals, format)
    std::map<std::string, int64_t> offsets;
    for (const auto& s : header.signals) {
      auto& f = files[s.file];
      ++f.first;
      f.second = s.format;
      offsets[s.file] = s.byte_offset;
    }
    for (const auto& [file, sf] : files) {
      const fs::path p = header.dir / file;
      if (!fs::is_regular_file(p, ec)) {
        problem(record, "the signal file " + rel(p, root) + " is missing");
        continue;
      }
      if (header.num_samples < 0) continue;
      const int64_t want = offsets[file] + header.num_samples * data::wfdb_bytes_per_frame(sf.second, sf.first);
      const int64_t have = static_cast<int64_t>(fs::file_size(p, ec));
      if (have < want) {
        problem(record, str(rel(p, root), " holds ", have, " bytes; the header's ", header.num_samples, " samples at ",
                            header.fs_hz, " Hz need ", want));
      }
    }
    if (!images) continue;
    int64_t listed = 0;
    for (const auto& c : header.comments) {
      const std::string t = trim(c);
      if (to_lower(t).rfind("image:", 0) != 0) continue;
      for (const auto& name : split(t.substr(6), ',')) {
        if (trim(name).empty()) continue;
        ++listed;
        const fs::path p = header.dir / trim(name);
        listed_images.insert(p);
        if (!fs::is_regular_file(p, ec))
          problem(record, "the image " + rel(p, root) + " listed in the header is missing");
      }
    }
    if (listed == 0) problem(record, "the header lists no image ('# Image: <file>')");
  }
  for (const auto& img : image_files) {
    if (listed_images.count(img)) continue;
    std::string stem = img.stem().string();
    const auto dash = stem.rfind('-');
    const fs::path owner = img.parent_path() / (dash == std::string::npos ? stem : stem.substr(0, dash));
    if (!records.count(owner)) {
      problem(rel(img, root), "image without a signal: no header " + rel(owner, root) + ".hea");
    } else {
      problem(rel(owner, root), "the image " + rel(img, root) + " is not listed in the header");
    }
  }
  ECG_CHECK(report.records > 0 || !image_files.empty(), root.string(), ": no WFDB header (.hea) found");
}

}  // namespace

PairLayout parse_pair_layout(const std::string& name) {
  if (name == "kaggle") return PairLayout::kKaggle;
  if (name == "physionet2024") return PairLayout::kPhysionet2024;
  if (name == "wfdb") return PairLayout::kWfdb;
  throw Error(str("unknown layout '", name, "': expected kaggle, physionet2024 or wfdb"));
}

PairCheckReport check_pairs(const fs::path& root, PairLayout layout, const PairCheckOptions& options) {
  std::error_code ec;
  ECG_CHECK(fs::is_directory(root, ec), root.string(), ": not a directory");
  PairCheckReport report;
  if (layout == PairLayout::kKaggle) {
    check_kaggle(root, options, report);
  } else {
    check_wfdb(root, layout == PairLayout::kPhysionet2024, options, report);
  }
  return report;
}

nlohmann::json pair_report_to_json(const PairCheckReport& report) {
  nlohmann::json problems = nlohmann::json::array();
  for (const auto& p : report.problems) problems.push_back({{"record", p.record}, {"problem", p.problem}});
  return {{"ok", report.problems.empty()}, {"records", report.records}, {"problems", std::move(problems)}};
}

}  // namespace ecg::datamgr
