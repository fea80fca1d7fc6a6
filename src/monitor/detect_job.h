#pragma once
// `ecgtorch detect`: per-beat labels for records (offline) or a live stream.
// Offline, a record goes through the same BeatMonitor as a stream does, in one push, and
// its windows are classified in large batches; so the offline labels are those a stream
// of the same samples gets.
//
// The lead: the one asked for by name (an error when the record has none of that name),
// else the lead the model was trained on when the record has it (MLII; II stands for MLII
// and the other way round), else the first lead.

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "data/record.h"
#include "monitor/beat_classifier.h"
#include "monitor/sample_source.h"

namespace ecg::monitor {

struct DetectResult {
  std::string record;  // the record's id (file stem)
  std::string lead;
  double fs_hz = 0;  // the record's own rate
  std::vector<BeatLabel> beats;
};

/// Index of the lead to read (see above). Throws ecg::Error naming the record and its leads.
int64_t choose_lead(const data::Record& record, const std::string& asked, const std::string& trained,
                    const std::string& source);

DetectResult detect_record(const std::filesystem::path& record_path, const BeatClassifier& classifier,
                           const std::string& lead);

struct StreamOptions {
  double fs_hz = 0;
  double chunk_s = 1.0;
  SampleSourceOptions source;
};

/// Reads samples until the source ends, writes a CSV header and then one row per beat as
/// soon as its window is complete, flushing after each chunk. Labels written stay valid
/// when an error ends the stream (it is thrown after the flush). Returns the beats written.
int64_t run_stream(SampleSource& source, const BeatClassifier& classifier, const StreamOptions& options,
                   const std::string& name, std::ostream& out);

}  // namespace ecg::monitor
