#include "data/beat_window.h"

#include <torch/torch.h>

#include <algorithm>

#include "core/error.h"

namespace ecg::data {

nlohmann::json BeatWindowSpec::to_json() const {
  return {{"fs_hz", fs_hz}, {"before", before},   {"after", after},
          {"lead", lead},   {"centers", centers}, {"normalization", normalization}};
}

BeatWindowSpec BeatWindowSpec::from_json(const nlohmann::json& j, const std::string& source) {
  try {
    BeatWindowSpec s;
    s.fs_hz = j.at("fs_hz").get<double>();
    s.before = j.at("before").get<int64_t>();
    s.after = j.at("after").get<int64_t>();
    s.lead = j.at("lead").get<std::string>();
    s.centers = j.at("centers").get<std::string>();
    s.normalization = j.at("normalization").get<std::string>();
    ECG_CHECK(s.fs_hz >= 50 && s.fs_hz <= 100000, "fs_hz must be in [50, 100000], got ", s.fs_hz);
    ECG_CHECK(s.before >= 0 && s.after >= 1 && s.length() <= 1000000, "need before >= 0, after >= 1");
    ECG_CHECK(s.centers == "detected" || s.centers == "annotated", "centers must be detected or annotated, got '",
              s.centers, "'");
    ECG_CHECK(s.normalization == "median" || s.normalization == "none", "normalization must be median or none, got '",
              s.normalization, "'");
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw Error(source + ": bad beat_window: " + e.what());
  } catch (const Error& e) {
    throw Error(source + ": bad beat_window: " + e.what());
  }
}

void beat_window_values(const float* first, const BeatWindowSpec& spec, float* out) {
  const int64_t n = spec.length();
  std::copy(first, first + n, out);
  if (spec.normalization != "median") return;
  std::vector<float> sorted(first, first + n);
  const auto mid = sorted.begin() + n / 2;
  std::nth_element(sorted.begin(), mid, sorted.end());
  const float median = *mid;
  for (int64_t i = 0; i < n; ++i) out[i] -= median;
}

torch::Tensor beat_window_batch(const torch::Tensor& lead, const std::vector<int64_t>& centers,
                                const BeatWindowSpec& spec, std::vector<int64_t>* kept) {
  ECG_CHECK(lead.dim() == 1, "beat windows: expected one lead [T], got ", lead.sizes());
  const auto x = lead.to(torch::kFloat32).contiguous();
  const int64_t n = x.size(0), len = spec.length();
  const float* p = x.data_ptr<float>();
  std::vector<int64_t> ok;
  for (size_t i = 0; i < centers.size(); ++i)
    if (centers[i] - spec.before >= 0 && centers[i] + spec.after <= n) ok.push_back(static_cast<int64_t>(i));
  auto out = torch::empty({static_cast<int64_t>(ok.size()), 1, len});
  float* o = out.data_ptr<float>();
  for (size_t k = 0; k < ok.size(); ++k)
    beat_window_values(p + centers[static_cast<size_t>(ok[k])] - spec.before, spec, o + static_cast<int64_t>(k) * len);
  if (kept != nullptr) *kept = std::move(ok);
  return out;
}

}  // namespace ecg::data
