#pragma once
// What `ecgtorch digitize` writes for a page it has read (page_reader.h):
//   kaggle  <name>.csv: columns I, II, III, aVR, aVL, aVF, V1-V6, 10 s * fs rows (the
//           competition's record length: a page showing more is cut, less is NaN), each
//           lead over its panel's samples and NaN (empty) elsewhere; a lead shown twice
//           (lead II in its panel and on the rhythm strip) takes the longer one.
//   wfdb    <name>.hea / <name>.dat: the same leads over max(10 s, the page's strip),
//           format 16 (NaN as the invalid value).
//   json    <name>.json: the signals plus what was found: px/mm, angles, the homography
//           both ways, the layout, rows and panels, per-lead confidence, the reader and time.
// Every file is written atomically (temp file + rename).
//
//   write_reading(reading, "out/", "00001-0", {"kaggle"});

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "data/record.h"
#include "digitize/page_reader.h"

namespace ecg::digitize {

/// The page's 12 standard leads as a record `id` of `num_samples` samples (0: max(10 s,
/// the strip) at the signals' rate), NaN where no lead is plotted.
data::Record to_record(const PageSignals& signals, const std::string& id, int64_t num_samples = 0);

/// The json output's document.
nlohmann::json reading_json(const PageReading& reading, const std::string& id);

/// The input page with what was found drawn on it: the measured 5 mm grid (green, from
/// row 0's time origin and zero line), each row's zero line (blue), the panel boundaries
/// (orange), the calibration pulses (magenta) and the traces read (red), all mapped back
/// through the inverse of the canonical warp.
cv::Mat reading_overlay(const cv::Mat& input_bgr, const PageReading& reading);

/// The formats write_reading knows.
const std::vector<std::string>& output_formats();

/// Writes `formats` (kaggle | wfdb | json) for page `id` into `dir`; returns the files.
/// Throws ecg::Error for an unknown format.
std::vector<std::filesystem::path> write_reading(const PageReading& reading, const std::filesystem::path& dir,
                                                 const std::string& id, const std::vector<std::string>& formats);

}  // namespace ecg::digitize
