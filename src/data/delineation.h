#pragma once
// Wave delineation files (LUDB's 1.i, 1.ii, ...: '(' onset, 'p' / 'N' / 't' peak, ')'
// offset, in MIT annotation format) turned into per-beat fiducials, the form the
// synthesiser gives its own (synth.h BeatFiducials), so a delineated real record can be
// rendered with keypoints (synth_pages `annotations`) and scored like a synthetic one.
//
// Each 'N' (QRS) makes a beat: qrs_onset / qrs_offset are the '(' / ')' that bracket it
// (the peak itself when a bracket is missing); the last 'p' after the previous QRS gives
// p_onset / p_peak / p_offset, and the first 't' before the next QRS gives t_peak /
// t_offset. Fields with no annotation are -1. type is 'N'.
//
//   auto beats = delineation_fiducials(read_mit_annotations("ludb/1.ii"));
//   auto part = shift_fiducials(beats, 2000, 2000);   // the beats of samples [2000, 4000), re-based

#include <cstdint>
#include <vector>

#include "data/annotations.h"
#include "data/synth.h"

namespace ecg::data {

std::vector<BeatFiducials> delineation_fiducials(const std::vector<Annotation>& annotations);

/// The beats whose QRS peak lies in [start, start + length), every field moved by -start
/// (fields that leave [0, length) become -1).
std::vector<BeatFiducials> shift_fiducials(const std::vector<BeatFiducials>& beats, int64_t start, int64_t length);

}  // namespace ecg::data
