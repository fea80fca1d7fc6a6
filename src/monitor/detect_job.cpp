#include "monitor/detect_job.h"

#include <torch/torch.h>

#include <cmath>
#include <ostream>

#include "core/error.h"
#include "data/record_io.h"

namespace ecg::monitor {
namespace {

bool is_lead_ii(const std::string& name) {
  return data::same_lead_name(name, "II") || data::same_lead_name(name, "MLII");
}

}  // namespace

int64_t choose_lead(const data::Record& record, const std::string& asked, const std::string& trained,
                    const std::string& source) {
  ECG_CHECK(record.num_leads() > 0, source, ": the record has no signals");
  if (!asked.empty()) {
    const int64_t i = record.lead_index(asked);
    if (i >= 0) return i;
    std::string names;
    for (const auto& l : record.leads) names += (names.empty() ? "" : ", ") + l;
    throw Error(source + ": no lead named '" + asked + "' (the record has " + names + ")");
  }
  if (!trained.empty()) {
    const int64_t i = record.lead_index(trained);
    if (i >= 0) return i;
    if (is_lead_ii(trained)) {
      for (size_t k = 0; k < record.leads.size(); ++k)
        if (is_lead_ii(record.leads[k])) return static_cast<int64_t>(k);
    }
  }
  return 0;
}

DetectResult detect_record(const std::filesystem::path& record_path, const BeatClassifier& classifier,
                           const std::string& lead) {
  const data::Record r = data::read_record(record_path);
  const std::string source = record_path.string();
  const int64_t li = choose_lead(r, lead, classifier.spec().lead, source);
  DetectResult out;
  out.record = r.id.empty() ? record_path.stem().string() : r.id;
  out.lead = r.leads.at(static_cast<size_t>(li));
  out.fs_hz = r.fs_hz;
  BeatMonitor monitor(classifier.spec(), r.fs_hz, source + " lead " + out.lead);
  const auto x = r.signal[li].to(torch::kFloat32).contiguous();
  std::vector<BeatCandidate> beats;
  monitor.push(x.data_ptr<float>(), x.size(0), &beats);
  monitor.finish(&beats);
  out.beats = classifier.classify(beats);
  return out;
}

int64_t run_stream(SampleSource& source, const BeatClassifier& classifier, const StreamOptions& o,
                   const std::string& name, std::ostream& out) {
  ECG_CHECK(o.fs_hz > 0, name, ": --fs must be > 0");
  ECG_CHECK(o.chunk_s > 0, name, ": the chunk must be > 0 s");
  BeatMonitor monitor(classifier.spec(), o.fs_hz, name);
  const int64_t chunk = std::max<int64_t>(1, std::llround(o.chunk_s * o.fs_hz));
  out << beat_csv_header(classifier.class_names()) << std::flush;
  int64_t written = 0;
  std::vector<float> samples;
  std::vector<BeatCandidate> ready;
  auto write = [&] {
    for (const auto& b : classifier.classify(ready)) out << beat_csv_row(b);
    written += static_cast<int64_t>(ready.size());
    ready.clear();
    out << std::flush;
  };
  try {
    while (source.read(chunk, &samples)) {
      monitor.push(samples.data(), static_cast<int64_t>(samples.size()), &ready);
      write();
    }
    monitor.finish(&ready);
    write();
  } catch (...) {
    write();  // what was complete before the error
    throw;
  }
  return written;
}

}  // namespace ecg::monitor
