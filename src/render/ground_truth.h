#pragma once
// Ground truth of a rendered page, written as JSON beside each image.
//
// Pixel coordinates: a pixel's centre is at integers (x right, y down), sub-pixel floats.
// Field names follow ecg-image-kit where they mean the same thing; points are written,
// as there, as [y, x] pairs:
// {
//   "schema": "ecgtorch.page/1",
//   "id", "width", "height", "resolution" (dpi), "sampling_frequency" (Hz),
//   "speed_mm_s", "gain_mm_mv", "layout",
//   "px_per_mm_x", "px_per_mm_y"      (grid scale on the clean page),
//   "x_grid", "y_grid"                (px per 5 mm major box, ecg-image-kit's meaning),
//   "homography": 3x3, row-major      (clean page -> image, composed from the projective
//                                       distortions; identity on a clean page),
//   "nonlinear": bool                 (a non-projective distortion was applied: lens,
//                                       creases, wrinkles; the points below include it),
//   "calibration_boxes": [[[y, x] x 4], ...],
//   "leads": [{"lead_name", "start_sample", "end_sample" ([start, end) of the record),
//              "sampling_frequency", "row", "column", "rhythm",
//              "baseline_y" (y of 0 mV on the clean page: mV = (baseline_y - y) / (px_per_mm_y
//              * gain_mm_mv) for a point mapped back through the inverse homography),
//              "plotted_pixels": [[y, x], ...] one per sample,
//              "clipped_samples": [offsets from start_sample that the printer clipped],
//              "dense_pixels": [[y, x], ...] the trace densified to <= 1 px steps,
//              "lead_bounding_box": [[y, x] x 4], "text_bounding_box": [[y, x] x 4]}],
//   "keypoints": [{"lead", "wave" (P | Q | R | S | T), "sample", "y", "x"}]  (synthesised
//                                       signals only),
//   "printed_text": [{"text", "box": [[y, x] x 4]}],
//   "style": {...}, "artefacts": [{"name", ...parameters}]
// }
// Quadrilaterals run top-left, top-right, bottom-right, bottom-left on the clean page and
// follow the distortions, so they stay exact after a rotation or a perspective warp.

#include <array>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

namespace ecg::render {

using Quad = std::array<cv::Point2d, 4>;

struct LeadTruth {
  std::string lead_name;
  int64_t start_sample = 0, end_sample = 0;
  double sampling_frequency = 0;
  int64_t row = 0, column = 0;
  bool rhythm = false;
  double baseline_y = 0;                    // y of 0 mV on the clean page (map points back through the homography)
  std::vector<cv::Point2d> plotted_pixels;  // (x, y), one per sample; NaN for a NaN sample
  std::vector<int64_t> clipped_samples;
  std::vector<cv::Point2d> dense_pixels;
  Quad lead_bounding_box{}, text_bounding_box{};
};

struct Keypoint {
  std::string lead, wave;
  int64_t sample = 0;
  cv::Point2d px;
};

struct PrintedText {
  std::string text;
  Quad box{};
};

struct PageTruth {
  std::string id;
  int width = 0, height = 0;
  double dpi = 0, sampling_frequency = 0, speed_mm_s = 0, gain_mm_mv = 0;
  double px_per_mm_x = 0, px_per_mm_y = 0;
  std::string layout;
  cv::Matx33d homography = cv::Matx33d::eye();
  bool nonlinear = false;
  std::vector<Quad> calibration_boxes;
  std::vector<LeadTruth> leads;
  std::vector<Keypoint> keypoints;
  std::vector<PrintedText> printed_text;
  nlohmann::json style = nlohmann::json::object();
  nlohmann::json artefacts = nlohmann::json::array();

  /// Moves every point (traces, boxes, keypoints, text) through `f`.
  void map_points(const std::function<cv::Point2d(const cv::Point2d&)>& f);
  /// map_points through the homography H, and composes it into `homography`.
  void apply_homography(const cv::Matx33d& h);
};

/// Axis-aligned quad around points (NaN points skipped); all-NaN gives a NaN quad.
Quad bounding_quad(const std::vector<cv::Point2d>& points);

/// p through the homography h (projective division included).
cv::Point2d map_point(const cv::Matx33d& h, cv::Point2d p);

nlohmann::json to_json(const PageTruth& truth);
/// Reads our JSON and ecg-image-kit's (whose fields are strings of Python literals).
/// Throws ecg::Error naming `source` and the field that is missing or malformed.
PageTruth page_truth_from_json(const nlohmann::json& j, const std::string& source);
PageTruth read_page_truth(const std::filesystem::path& path);

}  // namespace ecg::render
