#include "render/ground_truth.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/strings.h"

namespace ecg::render {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Rounded to 1/1000 px: exact enough (the decode test needs 40 dB) and half the size.
double r3(double v) {
  return std::round(v * 1000.0) / 1000.0;
}

nlohmann::json point_json(const cv::Point2d& p) {
  if (std::isnan(p.x) || std::isnan(p.y)) return nlohmann::json::array({nullptr, nullptr});
  return nlohmann::json::array({r3(p.y), r3(p.x)});
}

nlohmann::json points_json(const std::vector<cv::Point2d>& ps) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& p : ps) a.push_back(point_json(p));
  return a;
}

nlohmann::json quad_json(const Quad& q) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& p : q) a.push_back(point_json(p));
  return a;
}

// ecg-image-kit writes some fields as strings of Python literals: "[[1.0, 2.0], ...]" or
// "{'0': [y, x], ...}". Those are JSON once the quotes are double.
nlohmann::json unstring(const nlohmann::json& v, const std::string& where) {
  if (!v.is_string()) return v;
  std::string s = v.get<std::string>();
  for (auto& c : s)
    if (c == '\'') c = '"';
  try {
    return nlohmann::json::parse(s);
  } catch (const nlohmann::json::exception&) {
    throw Error(str(where, ": expected a list or a number, got '", v.get<std::string>().substr(0, 40), "'"));
  }
}

const nlohmann::json& field(const nlohmann::json& j, const char* key, const std::string& where) {
  ECG_CHECK(j.is_object() && j.contains(key), where, ": missing field '", key, "'");
  return j.at(key);
}

double number(const nlohmann::json& j, const char* key, const std::string& where) {
  const auto v = unstring(field(j, key, where), where + "." + key);
  ECG_CHECK(v.is_number(), where, ".", key, ": expected a number");
  return v.get<double>();
}

cv::Point2d point_from(const nlohmann::json& v, const std::string& where) {
  ECG_CHECK(v.is_array() && v.size() == 2, where, ": expected a [y, x] pair");
  if (v[0].is_null() || v[1].is_null()) return {kNaN, kNaN};
  ECG_CHECK(v[0].is_number() && v[1].is_number(), where, ": expected a [y, x] pair of numbers");
  return {v[1].get<double>(), v[0].get<double>()};
}

std::vector<cv::Point2d> points_from(const nlohmann::json& raw, const std::string& where) {
  const auto v = unstring(raw, where);
  ECG_CHECK(v.is_array(), where, ": expected a list of [y, x] pairs");
  std::vector<cv::Point2d> out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) out.push_back(point_from(v[i], str(where, "[", i, "]")));
  return out;
}

Quad quad_from(const nlohmann::json& raw, const std::string& where) {
  const auto v = unstring(raw, where);
  Quad q{};
  if (v.is_object()) {  // ecg-image-kit: {"0": [y, x], ...}
    for (int i = 0; i < 4; ++i)
      q[static_cast<size_t>(i)] = point_from(field(v, std::to_string(i).c_str(), where), where);
    return q;
  }
  ECG_CHECK(v.is_array() && v.size() == 4, where, ": expected 4 [y, x] corners");
  for (size_t i = 0; i < 4; ++i) q[i] = point_from(v[i], where);
  return q;
}

}  // namespace

Quad bounding_quad(const std::vector<cv::Point2d>& points) {
  double x0 = kNaN, x1 = kNaN, y0 = kNaN, y1 = kNaN;
  for (const auto& p : points) {
    if (std::isnan(p.x) || std::isnan(p.y)) continue;
    x0 = std::isnan(x0) ? p.x : std::min(x0, p.x);
    x1 = std::isnan(x1) ? p.x : std::max(x1, p.x);
    y0 = std::isnan(y0) ? p.y : std::min(y0, p.y);
    y1 = std::isnan(y1) ? p.y : std::max(y1, p.y);
  }
  return {cv::Point2d(x0, y0), cv::Point2d(x1, y0), cv::Point2d(x1, y1), cv::Point2d(x0, y1)};
}

void PageTruth::map_points(const std::function<cv::Point2d(const cv::Point2d&)>& f) {
  auto map = [&](cv::Point2d& p) {
    if (!std::isnan(p.x) && !std::isnan(p.y)) p = f(p);
  };
  for (auto& q : calibration_boxes)
    for (auto& p : q) map(p);
  for (auto& l : leads) {
    for (auto& p : l.plotted_pixels) map(p);
    for (auto& p : l.dense_pixels) map(p);
    for (auto& p : l.lead_bounding_box) map(p);
    for (auto& p : l.text_bounding_box) map(p);
  }
  for (auto& k : keypoints) map(k.px);
  for (auto& t : printed_text)
    for (auto& p : t.box) map(p);
}

cv::Point2d map_point(const cv::Matx33d& h, cv::Point2d p) {
  const cv::Vec3d v = h * cv::Vec3d(p.x, p.y, 1.0);
  return {v[0] / v[2], v[1] / v[2]};
}

void PageTruth::apply_homography(const cv::Matx33d& h) {
  map_points([&](const cv::Point2d& p) { return map_point(h, p); });
  homography = h * homography;
}

nlohmann::json to_json(const PageTruth& t) {
  nlohmann::json j;
  j["schema"] = "ecgtorch.page/1";
  j["id"] = t.id;
  j["width"] = t.width;
  j["height"] = t.height;
  j["resolution"] = t.dpi;
  j["sampling_frequency"] = t.sampling_frequency;
  j["speed_mm_s"] = t.speed_mm_s;
  j["gain_mm_mv"] = t.gain_mm_mv;
  j["layout"] = t.layout;
  j["px_per_mm_x"] = t.px_per_mm_x;
  j["px_per_mm_y"] = t.px_per_mm_y;
  j["x_grid"] = t.px_per_mm_x * 5;
  j["y_grid"] = t.px_per_mm_y * 5;
  nlohmann::json h = nlohmann::json::array();
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) h.push_back(t.homography(r, c));
  j["homography"] = h;
  j["nonlinear"] = t.nonlinear;
  nlohmann::json cal = nlohmann::json::array();
  for (const auto& q : t.calibration_boxes) cal.push_back(quad_json(q));
  j["calibration_boxes"] = cal;
  nlohmann::json leads = nlohmann::json::array();
  for (const auto& l : t.leads) {
    leads.push_back({{"lead_name", l.lead_name},
                     {"start_sample", l.start_sample},
                     {"end_sample", l.end_sample},
                     {"sampling_frequency", l.sampling_frequency},
                     {"row", l.row},
                     {"column", l.column},
                     {"rhythm", l.rhythm},
                     {"baseline_y", r3(l.baseline_y)},
                     {"plotted_pixels", points_json(l.plotted_pixels)},
                     {"clipped_samples", l.clipped_samples},
                     {"dense_pixels", points_json(l.dense_pixels)},
                     {"lead_bounding_box", quad_json(l.lead_bounding_box)},
                     {"text_bounding_box", quad_json(l.text_bounding_box)}});
  }
  j["leads"] = leads;
  nlohmann::json kps = nlohmann::json::array();
  for (const auto& k : t.keypoints)
    kps.push_back({{"lead", k.lead}, {"wave", k.wave}, {"sample", k.sample}, {"y", r3(k.px.y)}, {"x", r3(k.px.x)}});
  j["keypoints"] = kps;
  nlohmann::json text = nlohmann::json::array();
  for (const auto& p : t.printed_text) text.push_back({{"text", p.text}, {"box", quad_json(p.box)}});
  j["printed_text"] = text;
  j["style"] = t.style;
  j["artefacts"] = t.artefacts;
  return j;
}

namespace {
PageTruth page_truth_from_json_unchecked(const nlohmann::json& j, const std::string& source);
}  // namespace

PageTruth page_truth_from_json(const nlohmann::json& j, const std::string& source) {
  // Fields read with at() or get<>() throw nlohmann exceptions on a missing key or a
  // wrong type; they reach the user as one ecg::Error naming the file (found by fuzzing).
  try {
    return page_truth_from_json_unchecked(j, source);
  } catch (const nlohmann::json::exception& e) {
    throw Error(str(source, ": unexpected ground-truth JSON: ", e.what()));
  }
}

namespace {

PageTruth page_truth_from_json_unchecked(const nlohmann::json& j, const std::string& source) {
  ECG_CHECK(j.is_object(), source, ": expected a JSON object");
  PageTruth t;
  t.id = j.value("id", std::string());
  const double width = number(j, "width", source), height = number(j, "height", source);
  ECG_CHECK(width >= 1 && width <= 1e6 && height >= 1 && height <= 1e6, source,
            ": width and height must be between 1 and 1e6 pixels, got ", width, " x ", height);
  t.width = static_cast<int>(width);
  t.height = static_cast<int>(height);
  t.dpi = number(j, "resolution", source);
  t.sampling_frequency = number(j, "sampling_frequency", source);
  if (j.contains("px_per_mm_x")) {
    t.px_per_mm_x = number(j, "px_per_mm_x", source);
    t.px_per_mm_y = number(j, "px_per_mm_y", source);
  } else {  // ecg-image-kit: px per 5 mm box
    t.px_per_mm_x = number(j, "x_grid", source) / 5;
    t.px_per_mm_y = number(j, "y_grid", source) / 5;
  }
  t.speed_mm_s = j.contains("speed_mm_s") ? number(j, "speed_mm_s", source) : 25.0;
  t.gain_mm_mv = j.contains("gain_mm_mv") ? number(j, "gain_mm_mv", source) : 10.0;
  t.layout = j.value("layout", std::string());
  if (j.contains("homography")) {
    const auto& h = j.at("homography");
    ECG_CHECK(h.is_array() && h.size() == 9, source, ".homography: expected 9 numbers");
    for (int i = 0; i < 9; ++i) t.homography(i / 3, i % 3) = h[static_cast<size_t>(i)].get<double>();
  }
  t.nonlinear = j.value("nonlinear", false);
  const auto& leads = field(j, "leads", source);
  ECG_CHECK(leads.is_array(), source, ".leads: expected a list");
  for (size_t i = 0; i < leads.size(); ++i) {
    const auto& l = leads[i];
    const std::string where = str(source, ".leads[", i, "]");
    LeadTruth lt;
    const auto& name = field(l, "lead_name", where);
    ECG_CHECK(name.is_string(), where, ".lead_name: expected a string");
    lt.lead_name = name.get<std::string>();
    const double start = number(l, "start_sample", where), end = number(l, "end_sample", where);
    ECG_CHECK(std::abs(start) < 1e15 && std::abs(end) < 1e15, where, ": start_sample / end_sample out of range (",
              start, ", ", end, ")");
    lt.start_sample = static_cast<int64_t>(start);
    lt.end_sample = static_cast<int64_t>(end);
    ECG_CHECK(lt.end_sample >= lt.start_sample, where, ": end_sample ", lt.end_sample, " < start_sample ",
              lt.start_sample);
    lt.sampling_frequency =
        l.contains("sampling_frequency") ? number(l, "sampling_frequency", where) : t.sampling_frequency;
    lt.row = l.value("row", int64_t{0});
    lt.column = l.value("column", int64_t{0});
    lt.rhythm = l.value("rhythm", false);
    lt.baseline_y = l.value("baseline_y", 0.0);
    lt.plotted_pixels = points_from(field(l, "plotted_pixels", where), where + ".plotted_pixels");
    if (l.contains("dense_pixels")) lt.dense_pixels = points_from(l.at("dense_pixels"), where + ".dense_pixels");
    if (l.contains("clipped_samples")) lt.clipped_samples = l.at("clipped_samples").get<std::vector<int64_t>>();
    if (l.contains("lead_bounding_box"))
      lt.lead_bounding_box = quad_from(l.at("lead_bounding_box"), where + ".lead_bounding_box");
    if (l.contains("text_bounding_box"))
      lt.text_bounding_box = quad_from(l.at("text_bounding_box"), where + ".text_bounding_box");
    t.leads.push_back(std::move(lt));
  }
  // ecg-image-kit marks no rhythm strip: of two entries of one lead, the longer is it.
  if (std::none_of(leads.begin(), leads.end(), [](const nlohmann::json& l) { return l.contains("rhythm"); })) {
    for (auto& a : t.leads)
      for (const auto& b : t.leads)
        if (&a != &b && a.lead_name == b.lead_name && a.end_sample - a.start_sample > b.end_sample - b.start_sample)
          a.rhythm = true;
  }
  if (j.contains("calibration_boxes"))
    for (const auto& q : j.at("calibration_boxes")) t.calibration_boxes.push_back(quad_from(q, source));
  if (j.contains("keypoints")) {
    for (const auto& k : j.at("keypoints")) {
      t.keypoints.push_back({k.value("lead", std::string()), k.value("wave", std::string()),
                             k.value("sample", int64_t{0}), cv::Point2d(k.value("x", 0.0), k.value("y", 0.0))});
    }
  }
  if (j.contains("printed_text") && j.at("printed_text").is_array()) {
    for (const auto& p : j.at("printed_text"))
      if (p.is_object()) t.printed_text.push_back({p.value("text", std::string()), quad_from(p.at("box"), source)});
  }
  if (j.contains("style")) t.style = j.at("style");
  if (j.contains("artefacts")) t.artefacts = j.at("artefacts");
  return t;
}

}  // namespace

PageTruth read_page_truth(const std::filesystem::path& path) {
  const std::string text = read_file(path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(str(path.string(), ": not valid JSON (byte ", e.byte, ")"));
  }
  try {
    return page_truth_from_json(j, path.string());
  } catch (const nlohmann::json::exception& e) {
    throw Error(str(path.string(), ": malformed ground truth: ", e.what()));
  }
}

}  // namespace ecg::render
