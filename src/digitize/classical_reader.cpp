#include "digitize/classical_reader.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "digitize/row_marks.h"

namespace ecg::digitize {
namespace {

struct Run {
  int top = 0, bottom = 0;
  double centre() const { return 0.5 * (top + bottom); }
  int length() const { return bottom - top + 1; }
};

constexpr int kMaxRuns = 32;

int gap(const Run& a, const Run& b) {
  return std::max(0, std::max(b.top - a.bottom, a.top - b.bottom) - 1);
}

bool overlaps(const Run& a, const Run& b) {
  return a.top <= b.bottom && b.top <= a.bottom;
}

// One row's path: the chosen run per column (index into cols; -1: none).
struct RowPath {
  int x_begin = 0;
  std::vector<std::vector<Run>> cols;  // runs per column from x_begin
  std::vector<int> chosen;
  std::vector<uint8_t> shared;  // the chosen run is also another row's
  std::vector<double> own_end;  // for shared runs: the end this row keeps, or NaN (tip)
  double zero_px = 0;
};

// The runs of column x within [y0, y1). Where more than kMaxRuns show (a dotted grid,
// noise), those nearest the row's zero line are kept, in order of y.
std::vector<Run> column_runs(const cv::Mat& mask, int x, int y0, int y1, double zero_px) {
  std::vector<Run> runs;
  int start = -1;
  for (int y = y0; y <= y1; ++y) {
    const bool on = y < y1 && mask.at<uint8_t>(y, x) != 0;
    if (on && start < 0) start = y;
    if (!on && start >= 0) {
      runs.push_back({start, y - 1});
      start = -1;
    }
  }
  if (static_cast<int>(runs.size()) > kMaxRuns) {
    auto distance = [&](const Run& r) { return std::max(0.0, std::max(r.top - zero_px, zero_px - r.bottom)); };
    std::nth_element(runs.begin(), runs.begin() + kMaxRuns, runs.end(),
                     [&](const Run& a, const Run& b) { return distance(a) < distance(b); });
    runs.resize(kMaxRuns);
    std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) { return a.top < b.top; });
  }
  return runs;
}

void viterbi(RowPath& p, double s, double prior_px_per_mm) {
  const size_t n = p.cols.size();
  p.chosen.assign(n, -1);
  std::vector<std::vector<int>> back(n);
  std::vector<double> cost;
  int prev_col = -1;
  auto node = [&](const Run& r) {
    const double d = std::max(0.0, std::max(r.top - p.zero_px, p.zero_px - r.bottom));
    return prior_px_per_mm * d / s;
  };
  for (size_t x = 0; x < n; ++x) {
    const auto& runs = p.cols[x];
    if (runs.empty()) continue;
    std::vector<double> next(runs.size());
    back[x].assign(runs.size(), -1);
    for (size_t j = 0; j < runs.size(); ++j) {
      double best = std::numeric_limits<double>::infinity();
      int arg = -1;
      if (prev_col < 0) {
        best = 0;
      } else {
        const auto& pr = p.cols[static_cast<size_t>(prev_col)];
        const double skip = static_cast<double>(x - static_cast<size_t>(prev_col) - 1);
        for (size_t i = 0; i < pr.size(); ++i) {
          const double c = cost[i] + gap(pr[i], runs[j]) + 0.5 * skip;
          if (c < best) best = c, arg = static_cast<int>(i);
        }
      }
      next[j] = best + node(runs[j]);
      back[x][j] = arg;
    }
    cost.swap(next);
    back[x].push_back(prev_col);  // the last entry: the previous non-empty column
    prev_col = static_cast<int>(x);
  }
  if (prev_col < 0) return;
  int j = static_cast<int>(std::min_element(cost.begin(), cost.end()) - cost.begin());
  int x = prev_col;
  while (x >= 0 && j >= 0) {
    p.chosen[static_cast<size_t>(x)] = j;
    const int pj = back[static_cast<size_t>(x)][static_cast<size_t>(j)];
    x = back[static_cast<size_t>(x)].back();
    j = pj;
  }
}

const Run* chosen_run(const RowPath& p, long x) {
  if (x < 0 || x >= static_cast<long>(p.chosen.size())) return nullptr;
  const int j = p.chosen[static_cast<size_t>(x)];
  return j < 0 ? nullptr : &p.cols[static_cast<size_t>(x)][static_cast<size_t>(j)];
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

// For a run two rows chose: the row whose path runs along one end of it (its neighbours'
// runs sit at that end on both sides) keeps that end.
void settle_shared(std::vector<RowPath>& rows, double lw) {
  for (size_t a = 0; a < rows.size(); ++a) {
    auto& p = rows[a];
    p.shared.assign(p.chosen.size(), 0);
    p.own_end.assign(p.chosen.size(), std::nan(""));
  }
  for (size_t a = 0; a + 1 < rows.size(); ++a) {
    for (size_t b = a + 1; b < rows.size() && b <= a + 2; ++b) {
      auto& pa = rows[a];
      auto& pb = rows[b];
      for (size_t xa = 0; xa < pa.chosen.size(); ++xa) {
        const long x = static_cast<long>(xa) + pa.x_begin;
        const long xb = x - pb.x_begin;
        const Run* ra = chosen_run(pa, static_cast<long>(xa));
        const Run* rb = chosen_run(pb, xb);
        if (!ra || !rb || !overlaps(*ra, *rb)) continue;
        pa.shared[xa] = 1;
        pb.shared[static_cast<size_t>(xb)] = 1;
      }
    }
  }
  // Each row: for a shared column, the nearest unshared chosen runs on both sides.
  for (auto& p : rows) {
    const long n = static_cast<long>(p.chosen.size());
    for (long x = 0; x < n; ++x) {
      if (!p.shared[static_cast<size_t>(x)]) continue;
      const Run* r = chosen_run(p, x);
      const Run *left = nullptr, *right = nullptr;
      for (long d = 1; d < 200 && !left; ++d)
        if (x - d >= 0 && !p.shared[static_cast<size_t>(x - d)]) left = chosen_run(p, x - d);
      for (long d = 1; d < 200 && !right; ++d)
        if (x + d < n && !p.shared[static_cast<size_t>(x + d)]) right = chosen_run(p, x + d);
      if (!left) left = right;
      if (!right) right = left;
      if (!left) continue;
      const double near_top = std::max(std::abs(left->centre() - r->top), std::abs(right->centre() - r->top));
      const double near_bottom = std::max(std::abs(left->centre() - r->bottom), std::abs(right->centre() - r->bottom));
      if (near_top <= 2 * lw + 2)
        p.own_end[static_cast<size_t>(x)] = r->top + 0.5 * (lw - 1);
      else if (near_bottom <= 2 * lw + 2)
        p.own_end[static_cast<size_t>(x)] = r->bottom - 0.5 * (lw - 1);
    }
  }
}

// Darkness-weighted centre of column x over [t - 1, b + 1].
double centroid(const cv::Mat& dark, int x, int t, int b) {
  double sw = 0, sy = 0;
  for (int y = std::max(0, t - 1); y <= std::min(dark.rows - 1, b + 1); ++y) {
    const double w = dark.at<float>(y, x);
    sw += w;
    sy += w * y;
  }
  return sw > 0 ? sy / sw : 0.5 * (t + b);
}

// Where a long run's top (or bottom) end lies along x. A steep stroke's ink in column x
// covers the centre line over x +- a (a = half the line width), so the run's end is the
// centre line's value at x + a or x - a: on the side where the neighbour column reaches
// further the same way. Consecutive columns whose ends tie (within 1 px) all touch one
// extremum; it lies at their middle column, and only that column places it. Where a
// short run (a flat stretch) ties with the end, the end is a corner that the flat
// columns already read: skip.
struct EndPlace {
  bool skip = false;
  double dx = 0;
};

EndPlace place_end(const RowPath& p, long i, double lw, bool top) {
  auto end_of = [&](const Run* r) { return top ? r->top : -r->bottom; };  // smaller: further out
  const Run* run = chosen_run(p, i);
  const int e = end_of(run);
  auto tied = [&](long j) {
    const Run* o = chosen_run(p, j);
    return o && std::abs(end_of(o) - e) <= 1;
  };
  auto is_long = [&](long j) { return chosen_run(p, j)->length() > lw + 1; };
  long first = i, last = i;
  while (tied(first - 1) && is_long(first - 1) && i - first < 8) --first;
  while (tied(last + 1) && is_long(last + 1) && last - i < 8) ++last;
  if (tied(first - 1) || tied(last + 1)) return {true, 0};  // a corner with a flat stretch
  const Run* left = chosen_run(p, first - 1);
  const Run* right = chosen_run(p, last + 1);
  const int el = left ? end_of(left) : std::numeric_limits<int>::max();
  const int er = right ? end_of(right) : std::numeric_limits<int>::max();
  const double a = 0.5 * (lw - 1);
  if (el > e && er > e) {
    // An extremum: its middle column places it.
    const double mid = 0.5 * static_cast<double>(first + last);
    if (std::abs(static_cast<double>(i) - mid) > 0.5 || ((last - first) % 2 == 1 && static_cast<double>(i) > mid))
      return {true, 0};
    return {false, mid - static_cast<double>(i)};
  }
  return {false, er < el ? a : -a};
}

// Sorts the points by x and averages those closer than 0.25 px (the ends of columns two
// apart meet at the same x on a slope).
void merge_points(RowTrace& t) {
  std::vector<size_t> order(t.x_px.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return t.x_px[a] < t.x_px[b]; });
  RowTrace m;
  m.line_width_px = t.line_width_px;
  for (size_t k = 0; k < order.size();) {
    double sx = 0, sy = 0;
    float c = 0;
    size_t n = 0;
    const double x0 = t.x_px[order[k]];
    for (; k < order.size() && t.x_px[order[k]] - x0 < 0.25; ++k, ++n) {
      sx += t.x_px[order[k]];
      sy += t.y_px[order[k]];
      c = std::max(c, t.confidence[order[k]]);
    }
    m.x_px.push_back(sx / static_cast<double>(n));
    m.y_px.push_back(sy / static_cast<double>(n));
    m.confidence.push_back(c);
  }
  t = std::move(m);
}

}  // namespace

std::vector<RowTrace> ClassicalReader::read(const PageView& page) const {
  const cv::Mat& mask = page.ink.mask;
  const cv::Mat& dark = page.ink.darkness;
  const FoundLayout& f = page.layout;
  const double s = f.px_per_mm, pps = f.speed_mm_s * s;
  const size_t nrows = f.rows.size();
  std::vector<RowPath> paths(nrows);
  for (size_t r = 0; r < nrows; ++r) {
    const auto& row = f.rows[r];
    const double spacing = nrows > 1 ? (r > 0 ? row.y_px - f.rows[r - 1].y_px : f.rows[1].y_px - row.y_px) : 30 * s;
    const double spacing_down = r + 1 < nrows ? f.rows[r + 1].y_px - row.y_px : spacing;
    const double up = r > 0 ? f.rows[r - 1].zero_px : row.zero_px - spacing;
    const double down = r + 1 < nrows ? f.rows[r + 1].zero_px : row.zero_px + spacing_down;
    const int y0 = std::max(0, static_cast<int>(up - options_.reach * spacing));
    const int y1 = std::min(mask.rows, static_cast<int>(down + options_.reach * spacing_down) + 1);
    auto& p = paths[r];
    p.zero_px = row.zero_px;
    p.x_begin = std::max(0, static_cast<int>(std::floor(row.x0_px)) - 1);
    const int x_end = std::min(mask.cols, static_cast<int>(std::ceil(row.x0_px + f.strip_s * pps)) + 2);
    for (int x = p.x_begin; x < x_end; ++x) p.cols.push_back(column_runs(mask, x, y0, y1, row.zero_px));
    viterbi(p, s, options_.prior_px_per_mm);
  }
  // The line width: the median chosen run length over all rows (flat stretches dominate).
  std::vector<double> lengths;
  for (const auto& p : paths)
    for (size_t x = 0; x < p.chosen.size(); ++x)
      if (const Run* r = chosen_run(p, static_cast<long>(x))) lengths.push_back(r->length());
  const double lw = std::max(1.0, median(lengths));
  settle_shared(paths, lw);

  std::vector<RowTrace> out(nrows);
  for (size_t r = 0; r < nrows; ++r) {
    const auto& row = f.rows[r];
    const auto& p = paths[r];
    RowTrace& t = out[r];
    t.line_width_px = lw;
    // Columns left out: the pulse's falling stroke and the separators at panel boundaries.
    auto excluded = [&](double x) { return near_row_marks(f, r, x, lw + 1, lw + 2); };
    const double h = 0.5 * (lw - 1);
    auto emit = [&](double x, double y) {
      t.x_px.push_back(x);
      t.y_px.push_back(y);
      t.confidence.push_back(1.0f);
    };
    const double above_mid = r > 0 ? 0.5 * (f.rows[r - 1].zero_px + row.zero_px) : -1e300;
    const double below_mid = r + 1 < nrows ? 0.5 * (f.rows[r + 1].zero_px + row.zero_px) : 1e300;
    const long n = static_cast<long>(p.chosen.size());
    for (long i = 0; i < n; ++i) {
      const Run* run = chosen_run(p, i);
      const int x = p.x_begin + static_cast<int>(i);
      if (!run || excluded(x)) continue;
      if (p.shared[static_cast<size_t>(i)]) {
        if (!std::isnan(p.own_end[static_cast<size_t>(i)])) {
          emit(x, p.own_end[static_cast<size_t>(i)]);
          continue;
        }
        // A run the neighbour also chose that lies wholly on the neighbour's side of the
        // midline between the zero lines is the neighbour's trace, taken where this row's
        // own (thin, faint) stroke is missing from the mask: a gap, not a reading.
        if (run->top > below_mid || run->bottom < above_mid) continue;
      }
      if (run->length() <= lw + 1) {
        // A flat stretch wholly beyond the midline to a neighbour row is the neighbour's
        // trace (this row's own stroke is missing from the mask there): a gap. A steep run
        // there may be a tall wave's tip and is read.
        if (run->top > below_mid || run->bottom < above_mid) continue;
        emit(x, centroid(dark, x, run->top, run->bottom));
        continue;
      }
      const EndPlace top = place_end(p, i, lw, true), bottom = place_end(p, i, lw, false);
      if (top.skip && bottom.skip) {
        emit(x, centroid(dark, x, run->top, run->bottom));
        continue;
      }
      if (!top.skip) emit(x + top.dx, run->top + h);
      if (!bottom.skip) emit(x + bottom.dx, run->bottom - h);
    }
    merge_points(t);
  }
  return out;
}

std::unique_ptr<TraceReader> make_trace_reader(const std::string& name) {
  if (name == "classical") return std::make_unique<ClassicalReader>();
  throw Error("trace reader: unknown reader '" + name + "' (expected one of: classical, or a model file)");
}

std::vector<std::string> trace_reader_names() {
  return {"classical"};
}

}  // namespace ecg::digitize
