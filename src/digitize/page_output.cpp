#include "digitize/page_output.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <torch/torch.h>

#include <opencv2/imgproc.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/kaggle_csv.h"
#include "data/wfdb.h"

namespace fs = std::filesystem;

namespace ecg::digitize {
namespace {

nlohmann::json matrix_json(const cv::Matx33d& m) {
  nlohmann::json j = nlohmann::json::array();
  for (int r = 0; r < 3; ++r) j.push_back({m(r, 0), m(r, 1), m(r, 2)});
  return j;
}

// Canonical polyline -> input pixels, for cv::polylines (fixed point, 4 fractional bits).
constexpr int kShift = 4;
cv::Point to_draw(const PageGeometry& g, cv::Point2d p) {
  const cv::Point2d q = to_input(g, p);
  return {static_cast<int>(std::lround(q.x * (1 << kShift))), static_cast<int>(std::lround(q.y * (1 << kShift)))};
}

void line(cv::Mat& m, const PageGeometry& g, cv::Point2d a, cv::Point2d b, const cv::Scalar& c, int w) {
  cv::line(m, to_draw(g, a), to_draw(g, b), c, w, cv::LINE_AA, kShift);
}

}  // namespace

const std::vector<std::string>& output_formats() {
  static const std::vector<std::string> kFormats = {"kaggle", "wfdb", "json"};
  return kFormats;
}

data::Record to_record(const PageSignals& s, const std::string& id, int64_t num_samples) {
  const auto& names = data::standard_leads();
  const int64_t n = num_samples > 0 ? num_samples : std::max<int64_t>(std::llround(10.0 * s.fs_hz), s.num_samples);
  torch::Tensor sig = torch::full({static_cast<int64_t>(names.size()), n}, std::numeric_limits<float>::quiet_NaN());
  auto a = sig.accessor<float, 2>();
  for (size_t l = 0; l < names.size(); ++l) {
    const LeadSignal* best = nullptr;
    for (const auto& ls : s.leads) {
      if (!data::same_lead_name(ls.lead, names[l])) continue;
      if (best == nullptr || ls.end_sample - ls.start_sample > best->end_sample - best->start_sample) best = &ls;
    }
    if (best == nullptr) continue;
    for (int64_t k = best->start_sample; k < std::min(best->end_sample, n); ++k) {
      a[static_cast<int64_t>(l)][k] = best->mv[static_cast<size_t>(k - best->start_sample)];
    }
  }
  data::Record r;
  r.id = id;
  r.signal = sig;
  r.fs_hz = s.fs_hz;
  r.leads = names;
  r.units.assign(names.size(), "mV");
  return r;
}

nlohmann::json reading_json(const PageReading& r, const std::string& id) {
  const auto& g = r.geometry;
  nlohmann::json j;
  j["name"] = id;
  j["reader"] = r.reader;
  j["seconds"] = r.seconds;
  j["geometry"] = {{"px_per_mm_x", g.px_per_mm_x},
                   {"px_per_mm_y", g.px_per_mm_y},
                   {"angle_h_deg", g.angle_h_deg},
                   {"angle_v_deg", g.angle_v_deg},
                   {"grid_strength", g.grid_strength},
                   {"perspective_px", g.perspective_px},
                   {"minor_lines", g.minor_lines},
                   {"scale_source", g.scale_source},
                   {"canonical_px_per_mm", g.canonical_px_per_mm},
                   {"input_size", {g.input_size.width, g.input_size.height}},
                   {"canonical_size", {g.canonical_size.width, g.canonical_size.height}},
                   {"to_canonical", matrix_json(g.to_canonical)},
                   {"to_input", matrix_json(g.to_canonical.inv())}};
  const auto& f = r.layout;
  nlohmann::json rows = nlohmann::json::array();
  for (size_t i = 0; i < f.rows.size(); ++i) {
    const auto& w = f.rows[i];
    nlohmann::json row = {{"y_px", w.y_px},
                          {"zero_px", i < r.signals.zero_px.size() ? r.signals.zero_px[i] : w.zero_px},
                          {"pulse", w.pulse},
                          {"gain_mm_mv", w.gain_mm_mv},
                          {"x0_px", w.x0_px},
                          {"ink_left_px", w.ink_left_px},
                          {"ink_right_px", w.ink_right_px},
                          {"columns", w.columns},
                          {"separators", w.separators}};
    if (w.pulse) row["pulse_px"] = {w.pulse_left_px, w.pulse_top_px, w.pulse_right_px};
    rows.push_back(row);
  }
  nlohmann::json panels = nlohmann::json::array();
  for (const auto& p : f.layout.panels) {
    panels.push_back({{"lead", p.lead},
                      {"row", p.row},
                      {"column", p.column},
                      {"rhythm", p.rhythm},
                      {"t0_s", p.t0_s},
                      {"t1_s", p.t1_s},
                      {"x0_mm", p.x0_mm},
                      {"baseline_mm", p.baseline_mm}});
  }
  j["layout"] = {{"name", f.name},           {"strip_s", f.strip_s},         {"speed_mm_s", f.speed_mm_s},
                 {"px_per_mm", f.px_per_mm}, {"zero_source", f.zero_source}, {"rows", rows},
                 {"panels", panels}};
  j["fs_hz"] = r.signals.fs_hz;
  j["num_samples"] = r.signals.num_samples;
  nlohmann::json leads = nlohmann::json::array();
  for (const auto& l : r.signals.leads) {
    leads.push_back({{"lead", l.lead},
                     {"row", l.row},
                     {"column", l.column},
                     {"rhythm", l.rhythm},
                     {"start_sample", l.start_sample},
                     {"end_sample", l.end_sample},
                     {"confidence", l.confidence},
                     {"mv", l.mv}});
  }
  j["leads"] = leads;
  return j;
}

cv::Mat reading_overlay(const cv::Mat& input, const PageReading& r) {
  cv::Mat out = input.clone();
  const auto& g = r.geometry;
  const auto& f = r.layout;
  const double s = g.canonical_px_per_mm, w = g.canonical_size.width, h = g.canonical_size.height;
  const int thick = std::max(1, static_cast<int>(std::lround(std::min(g.px_per_mm_x, g.px_per_mm_y) / 8)));
  if (!f.rows.empty()) {
    cv::Mat grid = out.clone();
    const double step = 5 * s;
    const double x_ref = f.rows[0].x0_px, y_ref = r.signals.zero_px.empty() ? f.rows[0].zero_px : r.signals.zero_px[0];
    for (double x = std::fmod(x_ref, step); x < w; x += step) line(grid, g, {x, 0}, {x, h - 1}, {0, 170, 0}, 1);
    for (double y = std::fmod(y_ref, step); y < h; y += step) line(grid, g, {0, y}, {w - 1, y}, {0, 170, 0}, 1);
    cv::addWeighted(grid, 0.35, out, 0.65, 0, out);
  }
  const double pps = f.speed_mm_s * s;
  for (size_t i = 0; i < f.rows.size(); ++i) {
    const auto& row = f.rows[i];
    const double zero = i < r.signals.zero_px.size() ? r.signals.zero_px[i] : row.zero_px;
    line(out, g, {row.x0_px, zero}, {row.x0_px + f.strip_s * pps, zero}, {255, 120, 0}, thick);
    if (row.pulse) {
      const cv::Point2d a(row.pulse_left_px, row.pulse_top_px), b(row.pulse_right_px, zero);
      line(out, g, a, {b.x, a.y}, {255, 0, 255}, thick);
      line(out, g, {a.x, b.y}, b, {255, 0, 255}, thick);
      line(out, g, a, {a.x, b.y}, {255, 0, 255}, thick);
      line(out, g, {b.x, a.y}, b, {255, 0, 255}, thick);
    }
  }
  for (const auto& p : f.layout.panels) {
    const auto& row = f.rows[static_cast<size_t>(p.row)];
    const double zero = static_cast<size_t>(p.row) < r.signals.zero_px.size() ? r.signals.zero_px[p.row] : row.zero_px;
    const double half = 4 * s;
    for (double t : {p.t0_s, p.t1_s}) {
      const double x = row.x0_px + t * pps;
      line(out, g, {x, zero - half}, {x, zero + half}, {0, 140, 255}, thick);
    }
    cv::putText(out, p.lead, to_input(g, {row.x0_px + p.t0_s * pps + s, zero - 6 * s}), cv::FONT_HERSHEY_SIMPLEX,
                0.12 * s, {0, 140, 255}, thick, cv::LINE_AA);
  }
  for (const auto& t : r.traces) {
    std::vector<cv::Point> pts;
    pts.reserve(t.x_px.size());
    for (size_t k = 0; k < t.x_px.size(); ++k) {
      if (k > 0 && t.x_px[k] - t.x_px[k - 1] > 3) {
        cv::polylines(out, pts, false, {0, 0, 230}, 1, cv::LINE_AA, kShift);
        pts.clear();
      }
      pts.push_back(to_draw(g, {t.x_px[k], t.y_px[k]}));
    }
    if (!pts.empty()) cv::polylines(out, pts, false, {0, 0, 230}, 1, cv::LINE_AA, kShift);
  }
  return out;
}

std::vector<fs::path> write_reading(const PageReading& r, const fs::path& dir, const std::string& id,
                                    const std::vector<std::string>& formats) {
  for (const auto& f : formats) {
    ECG_CHECK(std::find(output_formats().begin(), output_formats().end(), f) != output_formats().end(),
              "digitize: unknown format '", f, "' (expected kaggle, wfdb or json)");
  }
  std::vector<fs::path> files;
  const data::Record record = to_record(r.signals, id);
  for (const auto& f : formats) {
    if (f == "kaggle") {
      files.push_back(dir / (id + ".csv"));
      data::write_kaggle_csv(to_record(r.signals, id, std::llround(10.0 * r.signals.fs_hz)), files.back());
    } else if (f == "wfdb") {
      data::write_wfdb(record, dir);
      files.push_back(dir / (id + ".hea"));
      files.push_back(dir / (id + ".dat"));
    } else {
      files.push_back(dir / (id + ".json"));
      write_file_atomic(files.back(), reading_json(r, id).dump() + "\n");
    }
  }
  return files;
}

}  // namespace ecg::digitize
