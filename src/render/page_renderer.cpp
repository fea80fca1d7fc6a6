#include "render/page_renderer.h"

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>

#include "core/error.h"
#include "core/strings.h"
#include "data/beats.h"
#include "render/grid.h"
#include "render/trace_raster.h"

namespace ecg::render {
namespace {

constexpr int kShift = 4;  // polyline coordinates in 1/16 px
constexpr double kScale = 1 << kShift;

double uniform(std::mt19937_64& rng, double a, double b) {
  return std::uniform_real_distribution<double>(a, b)(rng);
}

double jitter(std::mt19937_64& rng, double v, double fraction) {
  return fraction > 0 ? v * uniform(rng, 1 - fraction, 1 + fraction) : v;
}

cv::Scalar bgr(const cv::Vec3b& c) {
  return cv::Scalar(c[0], c[1], c[2]);
}

Quad rect_quad(double x0, double y0, double x1, double y1) {
  return {cv::Point2d(x0, y0), cv::Point2d(x1, y0), cv::Point2d(x1, y1), cv::Point2d(x0, y1)};
}

// Linear densification to steps of at most 1 px; NaN points are kept as breaks.
std::vector<cv::Point2d> densify(const std::vector<cv::Point2d>& pts) {
  std::vector<cv::Point2d> out;
  out.reserve(pts.size() * 2);
  for (size_t i = 0; i < pts.size(); ++i) {
    if (i > 0 && !std::isnan(pts[i].x) && !std::isnan(pts[i - 1].x)) {
      const cv::Point2d d = pts[i] - pts[i - 1];
      const int steps = static_cast<int>(std::ceil(std::max(std::abs(d.x), std::abs(d.y))));
      for (int s = 1; s < steps; ++s) out.push_back(pts[i - 1] + d * (static_cast<double>(s) / steps));
    }
    out.push_back(pts[i]);
  }
  return out;
}

// Median of a fiducial interval over the beats, in ms; -1 when none.
double median_ms(const std::vector<data::BeatFiducials>& beats, double fs,
                 int64_t (*interval)(const data::BeatFiducials&)) {
  std::vector<double> v;
  for (const auto& b : beats) {
    const int64_t n = interval(b);
    if (n > 0) v.push_back(1000.0 * static_cast<double>(n) / fs);
  }
  if (v.empty()) return -1;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

}  // namespace

void draw_trace(cv::Mat& img, const std::vector<cv::Point2d>& pts, const cv::Scalar& color, double width_px,
                int line_type) {
  if (line_type == cv::LINE_AA && stroke_monotone_trace(img, pts, color, width_px)) return;
  const int thickness = std::max(1, static_cast<int>(std::lround(width_px)));
  std::vector<cv::Point> run;
  auto flush = [&] {
    if (run.size() >= 2) cv::polylines(img, run, false, color, thickness, line_type, kShift);
    if (run.size() == 1)
      cv::circle(img, run[0], static_cast<int>(thickness * kScale / 2), color, -1, line_type, kShift);
    run.clear();
  };
  for (const auto& p : pts) {
    if (std::isnan(p.x) || std::isnan(p.y)) {
      flush();
      continue;
    }
    run.emplace_back(static_cast<int>(std::lround(p.x * kScale)), static_cast<int>(std::lround(p.y * kScale)));
  }
  flush();
}

PageRenderer::PageRenderer(PageOptions options) : options_(std::move(options)), layout_(make_layout(options_)) {
  ECG_CHECK(std::filesystem::exists(options_.font()), "page.font: font file '", options_.font(),
            "' not found (install fonts-dejavu-core or set font=<path to a .ttf>)");
  font_ = cv::freetype::createFreeType2();
  try {
    font_->loadFontData(options_.font(), 0);
  } catch (const cv::Exception& e) {
    throw Error(str("page.font: cannot load '", options_.font(), "': ", e.what()));
  }
}

Page PageRenderer::render(const data::Record& record, uint64_t seed,
                          const std::vector<data::BeatFiducials>* beats) const {
  ECG_CHECK(record.signal.defined() && record.signal.dim() == 2 && record.fs_hz > 0, "render: record '", record.id,
            "' has no signal");
  const PageOptions& o = options_;
  const PageLayout& L = layout_;
  std::mt19937_64 rng(seed);
  const double ppm = L.px_per_mm;
  auto px = [&](double mm) { return mm * ppm - 0.5; };

  // Style of this page.
  GridStyle grid;
  grid.kind = o.grid();
  std::string grid_color = o.grid_color();
  if (grid_color == "random") {
    static const char* kNames[] = {"red", "pink", "brown", "blue", "green", "bw"};
    grid_color = kNames[std::uniform_int_distribution<int>(0, 5)(rng)];
  }
  grid_colors(grid_color, &grid.minor, &grid.major);
  grid.minor_px = jitter(rng, o.minor_line_px(), o.width_jitter());
  grid.major_px = jitter(rng, o.major_line_px(), o.width_jitter());
  grid.px_per_mm = ppm;
  grid.origin_x_mm = L.trace_x0_mm;
  grid.origin_y_mm = o.header_mm();
  cv::Vec3b ink(13, 13, 13);
  if (o.trace_color() == "blue" || (o.trace_color() == "random" && uniform(rng, 0, 1) < 0.3))
    ink = cv::Vec3b(140, 40, 20);
  else if (o.trace_color() == "random")
    ink = cv::Vec3b::all(static_cast<uint8_t>(uniform(rng, 0, 60)));
  const double trace_width = std::max(0.8, jitter(rng, o.trace_px(), o.width_jitter()));
  const int trace_thickness = std::max(1, static_cast<int>(std::lround(trace_width)));

  Page page;
  page.image.create(L.height_px, L.width_px, CV_8UC3);
  draw_grid(page.image, grid);
  PageTruth& t = page.truth;
  t.id = record.id;
  t.width = L.width_px;
  t.height = L.height_px;
  t.dpi = o.dpi();
  t.sampling_frequency = record.fs_hz;
  t.speed_mm_s = o.speed_mm_s();
  t.gain_mm_mv = o.gain_mm_mv();
  t.px_per_mm_x = t.px_per_mm_y = ppm;
  t.layout = o.layout();
  t.style = {{"grid", grid.kind},
             {"grid_color", grid_color},
             {"minor_line_px", grid.minor_px},
             {"major_line_px", grid.major_px},
             {"trace_px", trace_width},
             {"trace_color_bgr", {ink[0], ink[1], ink[2]}}};
  const cv::Scalar ink_color = bgr(ink);
  const double font_px = o.font_mm() * ppm;
  // Where the lead labels go (drawn from the rng only when random, so other pages keep
  // their looks): over the trace's start, or under the zero line as ecg-image-kit prints them.
  bool labels_below = o.label_place() == "below";
  double below_mv = 0.35;  // the label's top under the zero line
  if (o.label_place() == "random") {
    labels_below = uniform(rng, 0, 1) < 0.5;
    below_mv = uniform(rng, 0.2, 0.6);
  }

  // Calibration pulses, one per row.
  if (o.calibration_pulse()) {
    const double width_mm = std::min(0.2 * o.speed_mm_s(), o.pulse_mm() - 3.0);
    for (double base : L.row_baseline_mm) {
      if (width_mm <= 0) break;
      const double xa = o.margin_mm() + 1.0, xb = xa + 1.0, xc = xb + width_mm, xd = L.trace_x0_mm - 0.5;
      const double top = base - o.gain_mm_mv();
      const std::vector<cv::Point2d> pts = {{px(xa), px(base)}, {px(xb), px(base)}, {px(xb), px(top)},
                                            {px(xc), px(top)},  {px(xc), px(base)}, {px(xd), px(base)}};
      draw_trace(page.image, pts, ink_color, trace_width, cv::LINE_AA);
      t.calibration_boxes.push_back(rect_quad(px(xb), px(top), px(xc), px(base)));
    }
  }

  // Traces.
  const int64_t n = record.num_samples();
  const auto signal = record.signal.to(torch::kFloat).contiguous();
  const float* data = signal.data_ptr<float>();
  for (const auto& panel : L.panels) {
    const int64_t lead = record.lead_index(panel.lead);
    if (lead < 0) continue;
    const int64_t s0 = static_cast<int64_t>(std::llround(panel.t0_s * record.fs_hz));
    const int64_t s1 = std::min(n, static_cast<int64_t>(std::llround(panel.t1_s * record.fs_hz)));
    if (s1 <= s0) continue;
    LeadTruth lt;
    lt.lead_name = panel.lead;
    lt.start_sample = s0;
    lt.end_sample = s1;
    lt.sampling_frequency = record.fs_hz;
    lt.row = panel.row;
    lt.column = panel.column;
    lt.rhythm = panel.rhythm;
    lt.baseline_y = px(panel.baseline_mm);
    lt.plotted_pixels.reserve(static_cast<size_t>(s1 - s0));
    const double clip_top = px(panel.clip_top_mm), clip_bottom = px(panel.clip_bottom_mm);
    for (int64_t s = s0; s < s1; ++s) {
      const double v = data[lead * n + s];
      if (std::isnan(v)) {
        lt.plotted_pixels.emplace_back(std::nan(""), std::nan(""));
        continue;
      }
      const double x = px(panel.x0_mm + static_cast<double>(s - s0) / record.fs_hz * o.speed_mm_s());
      double y = px(panel.baseline_mm - v * o.gain_mm_mv());
      if (y < clip_top || y > clip_bottom) {
        y = std::clamp(y, clip_top, clip_bottom);
        lt.clipped_samples.push_back(s - s0);
      }
      lt.plotted_pixels.emplace_back(x, y);
    }
    draw_trace(page.image, lt.plotted_pixels, ink_color, trace_width, cv::LINE_AA);
    lt.dense_pixels = densify(lt.plotted_pixels);
    lt.lead_bounding_box = bounding_quad(lt.plotted_pixels);
    // Keypoints of the synthesiser's beats inside this window.
    if (beats != nullptr) {
      for (const auto& b : *beats) {
        const std::pair<const char*, int64_t> waves[] = {
            {"P", b.p_peak}, {"Q", b.qrs_onset}, {"R", b.r_peak}, {"S", b.qrs_offset}, {"T", b.t_peak}};
        for (const auto& [wave, s] : waves) {
          if (s < s0 || s >= s1) continue;
          t.keypoints.push_back({panel.lead, wave, s, lt.plotted_pixels[static_cast<size_t>(s - s0)]});
        }
      }
    }
    // Lead label above the start of the trace, or under its zero line.
    if (o.lead_labels()) {
      int base_line = 0;
      const cv::Size size = font_->getTextSize(panel.lead, static_cast<int>(font_px), -1, &base_line);
      const double lx = px(panel.x0_mm + (labels_below ? 0.3 : 1.5));
      const double ly = labels_below ? px(panel.baseline_mm + below_mv * o.gain_mm_mv()) + size.height
                                     : px(panel.baseline_mm - 0.45 * L.row_height_mm);
      font_->putText(page.image, panel.lead, cv::Point(static_cast<int>(lx), static_cast<int>(ly)),
                     static_cast<int>(font_px), ink_color, -1, cv::LINE_AA, true);
      lt.text_bounding_box = rect_quad(lx, ly - size.height, lx + size.width, ly + base_line);
    }
    t.leads.push_back(std::move(lt));
  }

  // Column separators: a short vertical mark at each column boundary.
  if (o.separators() && L.columns > 1) {
    for (const auto& panel : L.panels) {
      if (panel.rhythm || panel.column == 0) continue;
      const double x = px(panel.x0_mm);
      cv::line(page.image,
               cv::Point(static_cast<int>(x * kScale), static_cast<int>(px(panel.baseline_mm - 3) * kScale)),
               cv::Point(static_cast<int>(x * kScale), static_cast<int>(px(panel.baseline_mm + 3) * kScale)), ink_color,
               trace_thickness, cv::LINE_AA, kShift);
    }
  }

  auto print = [&](const std::string& text, double x_mm, double y_mm, double height_mm) {
    int base_line = 0;
    const int h = std::max(6, static_cast<int>(height_mm * ppm));
    const cv::Size size = font_->getTextSize(text, h, -1, &base_line);
    const cv::Point org(static_cast<int>(px(x_mm)), static_cast<int>(px(y_mm)));
    font_->putText(page.image, text, org, h, ink_color, -1, cv::LINE_AA, true);
    t.printed_text.push_back({text, rect_quad(org.x, org.y - size.height, org.x + size.width, org.y + base_line)});
  };
  if (o.header() && o.header_mm() >= 12) {
    // Measured HR; intervals from the fiducials or plausible printed values.
    const int64_t ref = std::max<int64_t>(0, record.lead_index("II"));
    double hr = -1;
    if (beats != nullptr && beats->size() >= 2) {  // the synthesiser knows its beats
      hr = 60.0 * static_cast<double>(beats->size() - 1) * record.fs_hz /
           static_cast<double>(beats->back().r_peak - beats->front().r_peak);
    } else if (n >= static_cast<int64_t>(2 * record.fs_hz)) {
      const auto peaks = data::detect_r_peaks(torch::nan_to_num(signal[ref]), record.fs_hz);
      if (peaks.size() >= 2)
        hr = 60.0 * static_cast<double>(peaks.size() - 1) * record.fs_hz /
             static_cast<double>(peaks.back() - peaks.front());
    }
    double pr = uniform(rng, 130, 190), qrs = uniform(rng, 80, 105), qt = uniform(rng, 360, 420);
    if (beats != nullptr && !beats->empty()) {
      const double fs = record.fs_hz;
      const double m_pr = median_ms(*beats, fs, [](const data::BeatFiducials& b) {
        return b.p_onset >= 0 ? b.qrs_onset - b.p_onset : int64_t{-1};
      });
      const double m_qrs =
          median_ms(*beats, fs, [](const data::BeatFiducials& b) { return b.qrs_offset - b.qrs_onset; });
      const double m_qt = median_ms(*beats, fs, [](const data::BeatFiducials& b) { return b.t_offset - b.qrs_onset; });
      if (m_pr > 0) pr = m_pr;
      if (m_qrs > 0) qrs = m_qrs;
      if (m_qt > 0) qt = m_qt;
    }
    const double qtc = hr > 0 ? qt / std::sqrt(60.0 / hr) : qt;
    const int day = std::uniform_int_distribution<int>(1, 28)(rng),
              month = std::uniform_int_distribution<int>(1, 12)(rng);
    const int hour = std::uniform_int_distribution<int>(7, 19)(rng),
              minute = std::uniform_int_distribution<int>(0, 59)(rng);
    char date[64];
    std::snprintf(date, sizeof date, "%02d-%02d-20%02d %02d:%02d", day, month,
                  std::uniform_int_distribution<int>(10, 25)(rng), hour, minute);
    const double hx = o.margin_mm() + 1;
    print(str("ID: ", record.id.empty() ? "unknown" : record.id, "    ", date), hx, 7, 3.2);
    print(hr > 0 ? str("HR ", std::lround(hr), " bpm    PR ", std::lround(pr), " ms    QRS ", std::lround(qrs),
                       " ms    QT/QTc ", std::lround(qt), "/", std::lround(qtc), " ms")
                 : str("PR ", std::lround(pr), " ms    QRS ", std::lround(qrs), " ms    QT ", std::lround(qt), " ms"),
          hx, 12.5, 3.0);
    print("Filter: 0.05-150 Hz    AC 50 Hz", hx, 18, 3.0);
  }
  if (o.footer() && o.footer_mm() >= 4) {
    print(str(o.speed_mm_s(), " mm/s    ", o.gain_mm_mv(), " mm/mV    ", record.fs_hz, " Hz"), o.margin_mm() + 1,
          L.height_mm - o.margin_mm() - 1.5, 2.8);
  }
  if (o.qr_code() && o.header_mm() >= 12) {
    cv::Mat qr;
    cv::QRCodeEncoder::create()->encode(str("ecgtorch:", record.id, ":", seed), qr);
    const int side = static_cast<int>((o.header_mm() - 4) * ppm);
    cv::Mat big;
    cv::resize(qr, big, cv::Size(side, side), 0, 0, cv::INTER_NEAREST);
    cv::cvtColor(big, big, cv::COLOR_GRAY2BGR);
    const int x = L.width_px - static_cast<int>(o.margin_mm() * ppm) - side, y = static_cast<int>(2 * ppm);
    big.copyTo(page.image(cv::Rect(x, y, side, side)));
    t.printed_text.push_back({"qr_code", rect_quad(x, y, x + side - 1, y + side - 1)});
  }
  return page;
}

}  // namespace ecg::render
