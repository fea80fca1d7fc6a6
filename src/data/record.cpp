#include "data/record.h"

#include "core/strings.h"

namespace ecg::data {
namespace {
std::string key(const std::string& s) {
  return to_lower(trim(s));
}
}  // namespace

bool same_lead_name(const std::string& a, const std::string& b) {
  return key(a) == key(b);
}

int64_t Record::lead_index(const std::string& name) const {
  const std::string k = key(name);
  for (size_t i = 0; i < leads.size(); ++i) {
    if (key(leads[i]) == k) return static_cast<int64_t>(i);
  }
  return -1;
}

const std::vector<std::string>& standard_leads() {
  static const std::vector<std::string> kLeads = {"I",  "II", "III", "aVR", "aVL", "aVF",
                                                  "V1", "V2", "V3",  "V4",  "V5",  "V6"};
  return kLeads;
}

}  // namespace ecg::data
