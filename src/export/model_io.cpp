#include "export/model_io.h"

#include <torch/torch.h>

#include <cmath>

#include "core/error.h"
#include "data/record.h"
#include "digitize/strip_dataset.h"

namespace ecg::exporting {
namespace {

std::string text_or(const config::ConfigNode& m, const std::string& key, const std::string& fallback) {
  const auto* v = m.find(key);
  return v != nullptr && v->is_scalar() ? v->text() : fallback;
}

// sigmoid for multi-label losses (bce, asymmetric, focal in binary / multilabel mode),
// softmax for cross_entropy, ldam and multiclass focal.
void collect_activation(const config::ConfigNode& node, std::string* act) {
  if (node.is_map()) {
    const std::string name = text_or(node, "name", "");
    if (name == "bce" || name == "asymmetric" || (name == "focal" && text_or(node, "mode", "binary") != "multiclass"))
      *act = "sigmoid";
    else if (name == "cross_entropy" || name == "ldam" || name == "focal")
      *act = "softmax";
    for (const auto& e : node.entries()) collect_activation(e.value, act);
  } else if (node.is_sequence()) {
    for (const auto& e : node.elements()) collect_activation(e, act);
  }
}

void describe_data(const config::ConfigNode& d, ModelIo& io) {
  const std::string name = d.at("name").text();
  if (io.beat_window) {
    io.sample_rate_hz = io.beat_window->fs_hz;
    io.lead_order = {io.beat_window->lead};
  } else if (name == "synth_pages" && text_or(d, "target", "traces") == "classes") {
    io.sample_rate_hz = std::stod(text_or(d, "signal_fs_hz", "100"));
  } else if (name == "wfdb_folder" || name == "synth") {
    io.sample_rate_hz = std::stod(text_or(d, "fs_hz", name == "synth" ? "500" : "0"));
  }
}

// Each lead's columns and seconds, read off example 0 of a synth_pages dataset.
void find_panels(const config::ConfigNode& d, const train::Registries& regs, ModelIo& io) {
  const auto ds = regs.datasets.create(d, "val_data");
  const data::Example ex = ds->get(0);
  const auto panel = ex.extras.at("panel_s");
  const auto target = ex.target;
  io.columns = target.size(1);
  const auto& names = data::standard_leads();
  for (int64_t l = 0; l < target.size(0); ++l) {
    const auto valid = torch::nonzero(~torch::isnan(target[l])).flatten();
    if (valid.numel() == 0 || std::isnan(panel[l][0].item<double>())) continue;
    LeadPanel p;
    p.lead = names.at(static_cast<size_t>(l));
    p.first_column = valid.min().item<int64_t>();
    p.last_column = valid.max().item<int64_t>();
    p.start_s = panel[l][0].item<double>();
    p.duration_s = panel[l][1].item<double>();
    io.panels.push_back(p);
  }
}

}  // namespace

const config::ConfigNode* validation_data_section(const config::ConfigNode& job_config) {
  for (const char* key : {"val_data", "data"}) {
    const auto* d = job_config.find(key);
    if (d != nullptr && d->is_map() && d->has("name")) return d;
  }
  return nullptr;
}

std::vector<torch::Tensor> validation_inputs(const train::TrainedModel& trained, const train::Registries& regs,
                                             int64_t n, std::string* why) {
  const config::ConfigNode* d = validation_data_section(trained.config);
  if (d == nullptr) {
    *why = "the config has no data";
    return {};
  }
  try {
    const auto ds = regs.datasets.create(*d, "val_data");
    const auto size = ds->size();
    const auto names = trained.model->input_names();
    std::vector<std::vector<torch::Tensor>> per_input(names.size());
    for (int64_t i = 0; i < n && (!size || i < *size); ++i) {
      const data::Example ex = ds->get(i);
      for (size_t k = 0; k < names.size(); ++k) {
        const auto extra = ex.extras.find(names[k]);
        const torch::Tensor x = names[k] == "input"        ? ex.input
                                : extra != ex.extras.end() ? extra->second
                                                           : torch::Tensor();
        if (!x.defined()) {
          *why = "the data has no input '" + names[k] + "'";
          return {};
        }
        per_input[k].push_back(x);
      }
    }
    std::vector<torch::Tensor> xs;
    for (auto& v : per_input) xs.push_back(torch::stack(v));
    return xs;
  } catch (const std::exception& e) {
    *why = std::string("the validation data cannot be built here: ") + e.what();
    return {};
  }
}

nlohmann::json ModelIo::to_json() const {
  nlohmann::json panels_json = nlohmann::json::array();
  for (const auto& p : panels) {
    panels_json.push_back({{"lead", p.lead},
                           {"first_column", p.first_column},
                           {"last_column", p.last_column},
                           {"start_s", p.start_s},
                           {"duration_s", p.duration_s}});
  }
  nlohmann::json out = {{"model", model},
                        {"task", task},
                        {"input_names", input_names},
                        {"input_shapes", input_shapes},
                        {"input_kind", input_kind},
                        {"image_channels", image_channels},
                        {"input_normalization", input_normalization},
                        {"lead_order", lead_order},
                        {"sample_rate_hz", sample_rate_hz},
                        {"class_names", class_names},
                        {"output_activation", output_activation},
                        {"dynamic_batch", dynamic_batch},
                        {"columns", columns},
                        {"panels", panels_json}};
  if (beat_window) out["beat_window"] = beat_window->to_json();
  if (strip) out["strip"] = digitize::strip_options_json(*strip);
  if (size_multiple != 1) out["size_multiple"] = size_multiple;
  return out;
}

ModelIo ModelIo::from_json(const nlohmann::json& j, const std::string& source) {
  try {
    ModelIo io;
    io.model = j.at("model").get<std::string>();
    io.task = j.at("task").get<std::string>();
    io.input_names = j.at("input_names").get<std::vector<std::string>>();
    io.input_shapes = j.at("input_shapes").get<std::vector<std::vector<int64_t>>>();
    io.input_kind = j.at("input_kind").get<std::string>();
    io.image_channels = j.at("image_channels").get<std::string>();
    io.input_normalization = j.at("input_normalization").get<std::string>();
    io.lead_order = j.at("lead_order").get<std::vector<std::string>>();
    io.sample_rate_hz = j.at("sample_rate_hz").get<double>();
    io.class_names = j.at("class_names").get<std::vector<std::string>>();
    io.output_activation = j.at("output_activation").get<std::string>();
    io.dynamic_batch = j.at("dynamic_batch").get<bool>();
    io.columns = j.at("columns").get<int64_t>();
    for (const auto& p : j.at("panels")) {
      io.panels.push_back({p.at("lead").get<std::string>(), p.at("first_column").get<int64_t>(),
                           p.at("last_column").get<int64_t>(), p.at("start_s").get<double>(),
                           p.at("duration_s").get<double>()});
    }
    if (j.contains("beat_window")) io.beat_window = data::BeatWindowSpec::from_json(j.at("beat_window"), source);
    if (j.contains("strip")) io.strip = digitize::strip_options_from_json(j.at("strip"), source);
    io.size_multiple = j.value("size_multiple", int64_t{1});
    ECG_CHECK(io.size_multiple >= 1 && io.size_multiple <= 4096, "size_multiple must be in [1, 4096]");
    ECG_CHECK(!io.input_names.empty() && io.input_names.size() == io.input_shapes.size(),
              "input_names and input_shapes must be non-empty and of one length");
    for (const auto& shape : io.input_shapes) {
      double n = 1;
      for (int64_t d : shape) {
        ECG_CHECK(d >= 1, "input sizes must be >= 1");
        n *= static_cast<double>(d);
      }
      ECG_CHECK(shape.size() <= 8 && n <= 1e9, "an input shape is too large");
    }
    ECG_CHECK(io.sample_rate_hz >= 0 && io.sample_rate_hz <= 1e6, "sample_rate_hz must be in [0, 1e6]");
    ECG_CHECK(io.columns >= 0 && io.columns <= (int64_t{1} << 24), "columns must be in [0, 2^24]");
    for (const auto& p : io.panels) {
      ECG_CHECK(!p.lead.empty(), "a panel has no lead");
      ECG_CHECK(
          p.first_column >= 0 && p.first_column <= p.last_column && p.last_column < std::max<int64_t>(io.columns, 1),
          "panel '", p.lead, "': columns must satisfy 0 <= first <= last < columns (", io.columns, ")");
      ECG_CHECK(p.start_s >= 0 && p.start_s <= 3600 && p.duration_s > 0 && p.duration_s <= 3600, "panel '", p.lead,
                "': start_s must be in [0, 3600] and duration_s in (0, 3600]");
    }
    return io;
  } catch (const nlohmann::json::exception& e) {
    throw Error(source + ": bad ecgtorch_io description: " + e.what());
  } catch (const Error& e) {
    throw Error(source + ": bad ecgtorch_io description: " + e.what());
  }
}

ModelIo describe_model_io(const train::TrainedModel& trained, const train::Registries& regs,
                          const std::vector<torch::Tensor>& examples) {
  ModelIo io;
  io.model = trained.model_name;
  io.task = trained.meta.value("task", std::string());
  if (io.task.empty()) {
    const auto* tr = trained.config.find("trainer");
    io.task = tr != nullptr && tr->is_map() ? text_or(*tr, "task", "classify") : "classify";
  }
  io.input_names = trained.model->input_names();
  for (const auto& e : examples) io.input_shapes.push_back(e.sizes().slice(1).vec());
  if (trained.meta.contains("class_names") && trained.meta.at("class_names").is_array())
    io.class_names = trained.meta.at("class_names").get<std::vector<std::string>>();
  if (trained.meta.contains("beat_window"))
    io.beat_window = data::BeatWindowSpec::from_json(trained.meta.at("beat_window"), "checkpoint meta");
  io.output_activation = "none";
  if (io.task == "classify") {
    if (const auto* loss = trained.config.find("loss")) collect_activation(*loss, &io.output_activation);
  }
  const auto* d = validation_data_section(trained.config);
  const bool images = io.input_names.size() == 1 && !examples.empty() && examples[0].dim() == 4;
  if (io.input_names.size() > 1) {
    io.input_kind = "multimodal";
    io.image_channels = "rgb";
    io.input_normalization =
        "image RGB float in [0, 1] (pixel / 255); signal mV; numeric as recorded, NaN = unknown; categorical int64 "
        "ids, "
        "-1 = unknown; present 1/0 per modality (image, signal, metadata)";
  } else if (images) {
    io.input_kind = "image";
    const bool grey = d != nullptr && text_or(*d, "grayscale", "false") == "true";
    io.image_channels = grey ? "grey" : "rgb";
    io.input_normalization = std::string(grey ? "grey" : "RGB") + " float in [0, 1] (pixel / 255), [" +
                             (grey ? "1" : "3") + ", height, width]";
  } else {
    io.input_kind = "signal";
    io.input_normalization = "millivolts, [leads, samples], no scaling";
  }
  if (d != nullptr) describe_data(*d, io);
  if (io.lead_order.empty()) {
    const int64_t leads = examples.empty() || examples[0].dim() != 3 ? 12 : examples[0].size(1);
    if (leads == 12 || io.task == "digitize") io.lead_order = data::standard_leads();
  }
  if (io.task == "digitize" && d != nullptr && d->at("name").text() == "synth_pages") find_panels(*d, regs, io);
  if (d != nullptr && d->at("name").text() == "trace_strips") {
    io.strip = digitize::strip_options_of(*d);
    io.image_channels = "ink,grey";
    io.input_normalization =
        "row strips (digitize/strip_cutter.h, cut as 'strip' says): float in [0, 1], 1 = dark, channels trace ink "
        "and grey, [2, height_px, columns]";
    io.lead_order.clear();
  }
  io.size_multiple = trained.model->size_multiple();
  return io;
}

}  // namespace ecg::exporting
