#pragma once
// `ecgtorch predict`: runs a Predictor over images or records and writes the results.
//
// Inputs: one file or a directory (searched recursively, sorted): images (.png, .jpg,
// .jpeg, .bmp, .tif, .tiff, .webp) and records (.hea WFDB, .csv Kaggle).
//   images   read as the model's channels (RGB or grey), resized to its input size,
//            scaled to [0, 1];
//   records  leads picked by name in the model's lead order (or by count), resampled to
//            its sample rate, NaN as 0, cut into consecutive windows of its input length
//            (the last one zero-padded when the record is shorter than one window).
//   A multimodal model gets the modality it is given and the others marked absent.
//
// Outputs in out_dir:
//   digitisers   per image the 12 leads placed in a 10 s record at fs_hz, each lead over
//                the seconds of its panel (model_io.h), NaN elsewhere:
//                kaggle  <stem>.csv (leads as columns)
//                wfdb    <stem>.hea + <stem>.dat (format 16, NaN = invalid sample)
//                json    <stem>.json {"fs_hz", "leads": {"I": [mV | null, ...]}}
//                With uncertainty N, also the per-sample standard deviation
//                (<stem>_std.csv / .json). With plots, <stem>_plot.png: the page and
//                the traces read off it (digitize_plot.h).
//   classifiers  predictions.json and predictions.csv: per window the class scores
//                (sigmoid or softmax of the logits) and labels (score >= threshold for
//                multi-label, the arg-max otherwise), and per record the mean over its
//                windows; with uncertainty N the standard deviation of each score.
//                Outputs past the classes (multimodal: severity, confidence) go to
//                "extra_outputs", through the same activation.
// All files are written atomically.

#include <filesystem>

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "data/record.h"
#include "export/predictor.h"

namespace ecg::exporting {

struct PredictRequest {
  std::filesystem::path input;  // image, record or directory
  std::filesystem::path out_dir;
  std::string format;  // kaggle | wfdb | json; empty: kaggle for digitisers, json otherwise
  int64_t batch_size = 8;
  int64_t uncertainty = 0;  // MC-dropout passes; 0 = off
  double fs_hz = 500;       // sample rate of digitised records
  double threshold = 0.5;   // multi-label decision
  bool progress = true;
  bool plots = false;     // digitisers: also <stem>_plot.png (digitize_plot.h)
  bool plot_page = true;  // false: the plots show the traces only, not the page
};

struct PredictSummary {
  int64_t inputs = 0;
  std::vector<std::filesystem::path> written;
  double seconds = 0;
};

/// Throws ecg::Error naming the file for an unreadable input or one the model cannot take.
PredictSummary predict(Predictor& predictor, const PredictRequest& request);

/// The input files of a path: the file itself, or the files under a directory that the
/// model takes (images for digitisers and image models, records for signal models),
/// sorted. Throws ecg::Error when there are none.
std::vector<std::filesystem::path> prediction_inputs(const std::filesystem::path& path, const ModelIo& io);

/// Places a digitiser's traces [leads, W] (mV per column) into a record at fs_hz using the
/// ModelIo's panels; NaN where no panel covers a lead.
data::Record traces_to_record(const torch::Tensor& traces, const ModelIo& io, double fs_hz, const std::string& id);

/// The panels of a page as page reading finds them (digitize/page_reader.h: geometry,
/// rows, time origins, layout), in `columns` output columns spread over the page's width:
/// a digitiser's output is read at the page's own panels, as `ecgtorch digitize` reads
/// them, and not at the panels of the pages it was trained on. Empty when the page shows
/// no ECG rows; predict then keeps the model's own panels (ModelIo::panels).
std::vector<LeadPanel> page_panels(const cv::Mat& page_bgr, int64_t columns);

}  // namespace ecg::exporting
