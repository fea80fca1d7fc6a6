#pragma once
// The classical trace reader: ink runs and a best path per row, no learning.
//
// For each row, every column between the row's time origin and its end holds the runs of
// ink pixels within the row's reach (from the row above's zero line to the row below's,
// widened by 30 % of the row spacing, so tall waves crossing into a neighbour stay in
// view). A Viterbi pass picks one run per column: moving between runs costs the gap
// between them in pixels (touching runs cost nothing), and a run costs `prior_px_per_mm`
// per mm that its nearest pixel lies from the row's zero line, so a neighbour's trace is
// reached only through a wave that is really there.
// A second pass settles runs that two rows chose (a wave merged with a neighbour's line):
// the row whose path passes along one end of the run keeps that end, the other reads
// the run's far end as its wave's tip.
// Each column is then read at sub-pixel precision. A short run (about the line width) is a
// flat stretch: its darkness-weighted centre at x. A long run is a steep stroke, whose ink
// covers the centre line over x +- a (a = half the line width, (lw - 1) / 2 px between
// pixel centres), so its two ends are the centre line at x - a and x + a (less half the
// line width), each on the side where the neighbouring column reaches further the same
// way: two points per column, and the ends of columns 2 a apart meet. Columns whose ends
// tie all touch one extremum (a QRS tip); the middle one places it, so tips keep their
// amplitude and their time. Points closer than 0.25 px are averaged. Columns within a
// line width of a panel boundary (the separators) and of the pulse are left out, so
// signals.h interpolates over them.

#include "digitize/trace_reader.h"

namespace ecg::digitize {

struct ClassicalReaderOptions {
  double prior_px_per_mm = 0.3;
  double reach = 0.3;  // of the row spacing, beyond the neighbours' zero lines
};

class ClassicalReader : public TraceReader {
 public:
  explicit ClassicalReader(ClassicalReaderOptions options = {}) : options_(options) {}
  std::string name() const override { return "classical"; }
  std::vector<RowTrace> read(const PageView& page) const override;

 private:
  ClassicalReaderOptions options_;
};

}  // namespace ecg::digitize
