#pragma once
// From row traces to calibrated signals: y -> mV with the row's zero line and gain
// (layout_finder.h), x -> s with the row's time origin and the paper speed; each lead over
// its panel's window, sampled at fs_hz with the window's start and length exact to the
// sample: panel [t0, t1) holds samples round(t0 fs) .. round(t1 fs) - 1, and sample n is
// read at x = x0 + n / fs * speed * px_per_mm.
// A row without a pulse takes its zero line from the mode of its trace (the isoelectric
// line is where a trace spends most of its time). Samples the trace does not cover (a
// gap, a separator, the pulse) are linearly interpolated, or hold the nearest read value
// at a panel's ends; their confidence is 0.
//
//   PageSignals sig = to_signals(found, traces, /*fs_hz=*/500);

#include <cstdint>
#include <string>
#include <vector>

#include "digitize/layout_finder.h"
#include "digitize/trace_reader.h"

namespace ecg::digitize {

struct LeadSignal {
  std::string lead;
  int row = 0, column = 0;
  bool rhythm = false;
  int64_t start_sample = 0, end_sample = 0;  // [start, end) of the page's samples
  std::vector<float> mv;                     // end - start values
  double confidence = 0;                     // the share of samples read, not interpolated
};

struct PageSignals {
  double fs_hz = 0;
  int64_t num_samples = 0;  // strip_s * fs
  std::vector<LeadSignal> leads;
  std::vector<double> zero_px;  // per row, the zero line used
};

/// Throws ecg::Error for fs_hz <= 0 or a trace count other than the layout's rows.
PageSignals to_signals(const FoundLayout& layout, const std::vector<RowTrace>& traces, double fs_hz);

/// The mode of y (0.25 px bins, smoothed over 1 px): a trace's isoelectric line.
double trace_mode_px(const std::vector<double>& y_px);

}  // namespace ecg::digitize
