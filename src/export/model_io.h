#pragma once
// ModelIo: what a trained model's inputs and outputs mean, read from its checkpoint's
// config. It travels with every export (ONNX metadata "ecgtorch_io", the TorchScript
// extra file "ecgtorch_io.json") so that `ecgtorch predict` can prepare inputs and write
// outputs without the config, and so that a serving stack knows the contract:
//   input normalisation  images RGB (or grey) float in [0, 1] (pixel / 255); signals in mV;
//   lead order           of signal inputs, or of a digitiser's output traces;
//   sample rate          of signal inputs (0: as stored);
//   class names          of a classifier's outputs, and sigmoid (multi-label) or softmax;
//   panels               for a digitiser: where each lead is plotted in the output columns
//                        and which seconds of the record that panel shows (read off a page
//                        of the training data), to place the traces in a 10 s record;
//   strip                for a trace reader (trace_strips data): how page rows are cut
//                        into its input strips (digitize/strip_cutter.h), so a reader
//                        travels as one file;
//   size_multiple        the input's spatial sizes must be multiples of it (the stride).

#include <torch/types.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "data/beat_window.h"
#include "digitize/strip_cutter.h"
#include "train/registries.h"
#include "train/trained_model.h"

namespace ecg::exporting {

struct LeadPanel {
  std::string lead;
  int64_t first_column = 0, last_column = -1;  // of `columns` output columns, inclusive
  double start_s = 0, duration_s = 0;          // seconds of the record the panel shows
};

struct ModelIo {
  std::string model;  // registered model name
  std::string task;   // digitize | classify | toy
  std::vector<std::string> input_names;
  std::vector<std::vector<int64_t>> input_shapes;  // per example, without the batch
  std::string input_kind;                          // image | signal | multimodal
  std::string image_channels;                      // rgb | grey (image inputs)
  std::string input_normalization;                 // one line, for people
  std::vector<std::string> lead_order;
  double sample_rate_hz = 0;  // signal inputs; 0 = as stored / unknown
  std::vector<std::string> class_names;
  std::string output_activation;  // sigmoid | softmax | none
  bool dynamic_batch = true;      // false: the export runs batch 1 only
  int64_t columns = 0;            // digitisers: output columns the panels refer to
  std::vector<LeadPanel> panels;
  /// Beat classifiers: how their input windows are cut (the training data's own spec,
  /// from the checkpoint). `ecgtorch detect` takes only models that have one.
  std::optional<data::BeatWindowSpec> beat_window;
  /// Trace readers: the strips they read (their training data's own cut).
  std::optional<digitize::StripOptions> strip;
  int64_t size_multiple = 1;

  nlohmann::json to_json() const;
  /// Throws ecg::Error naming `source` when a field is missing or of the wrong type.
  static ModelIo from_json(const nlohmann::json& j, const std::string& source);
};

/// The section a trained model's validation data comes from: val_data, else data; null
/// when neither names a dataset.
const config::ConfigNode* validation_data_section(const config::ConfigNode& job_config);

/// The first `n` examples of the validation data as the model's inputs (one tensor per
/// input_names(), stacked), or empty with the reason in *why when the data cannot be
/// built here (missing files, no such input, ...).
std::vector<torch::Tensor> validation_inputs(const train::TrainedModel& trained, const train::Registries& regs,
                                             int64_t n, std::string* why);

/// Describes a trained model; `examples` are its example inputs (their shapes are kept).
/// A digitiser trained on synth_pages renders one page of its validation data to find
/// its panels.
ModelIo describe_model_io(const train::TrainedModel& trained, const train::Registries& regs,
                          const std::vector<torch::Tensor>& examples);

}  // namespace ecg::exporting
