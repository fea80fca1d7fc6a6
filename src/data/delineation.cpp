#include "data/delineation.h"

#include <optional>

namespace ecg::data {
namespace {

struct Wave {
  char kind = 0;  // 'p', 'N', 't'
  int64_t onset = -1, peak = -1, offset = -1;
};

std::vector<Wave> waves_of(const std::vector<Annotation>& annotations) {
  std::vector<Wave> waves;
  std::optional<int64_t> onset;
  for (const auto& a : annotations) {
    const std::string s = a.symbol();
    if (s == "(") {
      onset = a.sample;
    } else if (s == "p" || s == "N" || s == "t") {
      waves.push_back({s[0], onset.value_or(-1), a.sample, -1});
      onset.reset();
    } else if (s == ")") {
      if (!waves.empty() && waves.back().offset < 0 && waves.back().peak <= a.sample) waves.back().offset = a.sample;
    }
  }
  return waves;
}

}  // namespace

std::vector<BeatFiducials> delineation_fiducials(const std::vector<Annotation>& annotations) {
  const auto waves = waves_of(annotations);
  std::vector<BeatFiducials> beats;
  for (size_t i = 0; i < waves.size(); ++i) {
    if (waves[i].kind != 'N') continue;
    BeatFiducials b;
    b.type = 'N';
    b.r_peak = waves[i].peak;
    b.qrs_onset = waves[i].onset >= 0 ? waves[i].onset : waves[i].peak;
    b.qrs_offset = waves[i].offset >= 0 ? waves[i].offset : waves[i].peak;
    b.t_peak = b.t_offset = -1;
    for (size_t k = i; k-- > 0 && waves[k].kind != 'N';) {
      if (waves[k].kind == 'p') {
        b.p_onset = waves[k].onset;
        b.p_peak = waves[k].peak;
        b.p_offset = waves[k].offset;
        break;
      }
    }
    for (size_t k = i + 1; k < waves.size() && waves[k].kind != 'N'; ++k) {
      if (waves[k].kind == 't') {
        b.t_peak = waves[k].peak;
        b.t_offset = waves[k].offset;
        break;
      }
    }
    beats.push_back(b);
  }
  return beats;
}

std::vector<BeatFiducials> shift_fiducials(const std::vector<BeatFiducials>& beats, int64_t start, int64_t length) {
  std::vector<BeatFiducials> out;
  auto move = [&](int64_t& s) { s = s < 0 || s < start || s >= start + length ? -1 : s - start; };
  for (BeatFiducials b : beats) {
    if (b.r_peak < start || b.r_peak >= start + length) continue;
    for (int64_t* f :
         {&b.p_onset, &b.p_peak, &b.p_offset, &b.qrs_onset, &b.r_peak, &b.qrs_offset, &b.t_peak, &b.t_offset})
      move(*f);
    out.push_back(b);
  }
  return out;
}

}  // namespace ecg::data
