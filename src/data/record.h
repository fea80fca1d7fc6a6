#pragma once
// Record: one multi-lead ECG in physical units.
//
//   signal   float32 [leads, samples], millivolts (other physical units are kept as
//            they are and named in `units`); NaN marks samples that are absent (e.g.
//            unplotted in a Kaggle CSV).
//   fs_hz    samples per second.
//   leads    lead names as written in the source; lead_index() matches them
//            case-insensitively ("AVR" == "aVR").

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ecg::data {

struct Record {
  std::string id;
  torch::Tensor signal;  // [leads, samples] float32
  double fs_hz = 0;
  std::vector<std::string> leads;
  std::vector<std::string> units;  // per lead, "mV" after conversion of voltages
  std::string start_time;          // "HH:MM:SS" when the source gives it
  std::vector<std::string> comments;

  int64_t num_leads() const { return static_cast<int64_t>(leads.size()); }
  int64_t num_samples() const { return signal.defined() ? signal.size(1) : 0; }
  /// Index of `name` (case-insensitive, surrounding spaces ignored), or -1.
  int64_t lead_index(const std::string& name) const;
};

/// True when two lead names are the same lead: case-insensitive, spaces around ignored.
bool same_lead_name(const std::string& a, const std::string& b);

/// The 12 standard leads in the Kaggle / PhysioNet order: I, II, III, aVR, aVL, aVF, V1..V6.
const std::vector<std::string>& standard_leads();

}  // namespace ecg::data
