#include "export/predict.h"

#include <torch/torch.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <set>

#include "core/atomic_file.h"
#include "core/csv.h"
#include "core/error.h"
#include "core/progress.h"
#include "core/strings.h"
#include "data/dsp.h"
#include "data/kaggle_csv.h"
#include "data/record_io.h"
#include "data/wfdb.h"
#include "digitize/page_reader.h"
#include "export/digitize_plot.h"
#include "render/image_tensor.h"

namespace ecg::exporting {
namespace {

namespace fs = std::filesystem;

const std::set<std::string> kImageExtensions = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"};
const std::set<std::string> kRecordExtensions = {".hea", ".csv"};

std::string lower_ext(const fs::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return e;
}

bool is_image(const fs::path& p) {
  return kImageExtensions.count(lower_ext(p)) != 0;
}

// [C, H, W] float in [0, 1] at the model's size.
torch::Tensor load_image(const fs::path& path, const std::vector<int64_t>& shape, const std::string& channels) {
  cv::Mat bgr = cv::imread(path.string(), cv::IMREAD_COLOR);
  ECG_CHECK(!bgr.empty(), path.string(), ": cannot read the image");
  ECG_CHECK(shape.size() == 3, path.string(), ": the model's image input has shape of rank ", shape.size());
  const int h = static_cast<int>(shape[1]), w = static_cast<int>(shape[2]);
  if (bgr.rows != h || bgr.cols != w) {
    cv::Mat resized;
    cv::resize(bgr, resized, cv::Size(w, h), 0, 0, bgr.cols > w ? cv::INTER_AREA : cv::INTER_LINEAR);
    bgr = resized;
  }
  return render::image_to_input(bgr, channels == "grey" || shape[0] == 1);
}

// The record's leads in the model's order: by name, "MIT-BIH signal k", or all of them.
torch::Tensor select_leads(const data::Record& r, const ModelIo& io, int64_t leads, const fs::path& path) {
  const std::string mit = "MIT-BIH signal ";
  if (io.lead_order.size() == 1 && io.lead_order[0].rfind(mit, 0) == 0) {
    const int64_t k = std::stoll(io.lead_order[0].substr(mit.size()));
    ECG_CHECK(k < r.num_leads(), path.string(), ": the model reads signal ", k, ", the record has ", r.num_leads());
    return r.signal.narrow(0, k, 1);
  }
  if (static_cast<int64_t>(io.lead_order.size()) == leads) {
    std::vector<int64_t> idx;
    for (const auto& name : io.lead_order) idx.push_back(r.lead_index(name));
    if (std::all_of(idx.begin(), idx.end(), [](int64_t i) { return i >= 0; }))
      return r.signal.index_select(0, torch::tensor(idx, torch::kLong));
  }
  ECG_CHECK(r.num_leads() == leads, path.string(), ": the record has leads [", join(r.leads, ", "),
            "]; the model takes ", leads,
            io.lead_order.empty() ? std::string() : " (" + join(io.lead_order, ", ") + ")");
  return r.signal;
}

struct Window {
  size_t file;     // index into the input list
  double start_s;  // in the record
  torch::Tensor x;
};

// Consecutive windows of `length` samples.
std::vector<Window> record_windows(const fs::path& path, size_t file, const ModelIo& io, size_t signal_input) {
  const auto& shape = io.input_shapes.at(signal_input);
  ECG_CHECK(shape.size() == 2, path.string(), ": the model's signal input has shape of rank ", shape.size());
  data::Record r = data::read_record(path);
  torch::Tensor x = select_leads(r, io, shape[0], path).to(torch::kFloat);
  double fs = r.fs_hz;
  if (io.sample_rate_hz > 0 && std::abs(fs - io.sample_rate_hz) > 1e-9) {
    x = data::resample(x, fs, io.sample_rate_hz);
    fs = io.sample_rate_hz;
  }
  x = torch::nan_to_num(x, 0.0);
  const int64_t len = shape[1], n = x.size(1);
  std::vector<Window> w;
  for (int64_t s = 0; s + len <= n; s += len) w.push_back({file, static_cast<double>(s) / fs, x.narrow(1, s, len)});
  if (w.empty()) w.push_back({file, 0.0, torch::constant_pad_nd(x, {0, len - n})});
  return w;
}

// The model's inputs for one modality; others absent (multimodal) or the only one.
std::vector<torch::Tensor> assemble(const ModelIo& io, const std::string& modality, const torch::Tensor& batch) {
  if (io.input_names.size() == 1) return {batch};
  const int64_t b = batch.size(0);
  std::vector<torch::Tensor> xs;
  for (size_t k = 0; k < io.input_names.size(); ++k) {
    const auto& name = io.input_names[k];
    std::vector<int64_t> sizes{b};
    sizes.insert(sizes.end(), io.input_shapes[k].begin(), io.input_shapes[k].end());
    if (name == modality)
      xs.push_back(batch);
    else if (name == "numeric")
      xs.push_back(torch::full(sizes, NAN));
    else if (name == "categorical")
      xs.push_back(torch::full(sizes, -1, torch::kLong));
    else if (name == "present")
      xs.push_back(torch::tensor({modality == "image" ? 1.0F : 0.0F, modality == "signal" ? 1.0F : 0.0F, 0.0F})
                       .expand({b, 3})
                       .contiguous());
    else
      xs.push_back(torch::zeros(sizes));
  }
  return xs;
}

size_t input_index(const ModelIo& io, const std::string& name) {
  for (size_t k = 0; k < io.input_names.size(); ++k)
    if (io.input_names[k] == name) return k;
  return io.input_names.size();
}

struct Outputs {
  torch::Tensor mean, std;  // std undefined without uncertainty
};

Outputs run_batch(Predictor& p, const std::vector<torch::Tensor>& xs, const std::string& activation, int64_t mc) {
  if (mc > 0) {
    const auto u = p.run_uncertain(xs, mc, activation);
    return {u.mean, u.variance.sqrt()};
  }
  return {apply_activation(p.run(xs), activation), {}};
}

void write_json(const fs::path& path, const nlohmann::json& j) {
  write_file_atomic(path, j.dump(1) + "\n");
}

nlohmann::json leads_json(const data::Record& r) {
  nlohmann::json leads = nlohmann::json::object();
  const auto s = r.signal.contiguous();
  for (int64_t l = 0; l < r.num_leads(); ++l) {
    nlohmann::json v = nlohmann::json::array();
    const float* d = s[l].data_ptr<float>();
    for (int64_t k = 0; k < r.num_samples(); ++k)
      v.push_back(std::isnan(d[k]) ? nlohmann::json() : nlohmann::json(d[k]));
    leads[r.leads[static_cast<size_t>(l)]] = v;
  }
  return {{"id", r.id}, {"fs_hz", r.fs_hz}, {"units", "mV"}, {"leads", leads}};
}

// Unique output stems: "a.png" and "sub/a.png" become "a" and "sub_a".
std::vector<std::string> stems(const std::vector<fs::path>& files, const fs::path& root) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& f : files) {
    std::string s = f.stem().string();
    if (seen.count(s) != 0 && fs::is_directory(root)) {
      s = fs::relative(f, root).replace_extension().string();
      std::replace(s.begin(), s.end(), '/', '_');
    }
    seen.insert(s);
    out.push_back(s);
  }
  return out;
}

void digitize(Predictor& p, const PredictRequest& req, const std::vector<fs::path>& files, PredictSummary& sum) {
  const ModelIo& io = p.io();
  const std::string format = req.format.empty() ? "kaggle" : req.format;
  ECG_CHECK(format == "kaggle" || format == "wfdb" || format == "json",
            "predict: --format must be kaggle, wfdb or json");
  const size_t k = input_index(io, io.input_names.size() == 1 ? io.input_names[0] : "image");
  const auto names = stems(files, req.input);
  const int64_t batch = p.dynamic_batch() ? req.batch_size : 1;
  Progress bar(static_cast<int64_t>(files.size()), "img", req.progress);
  for (size_t i = 0; i < files.size(); i += static_cast<size_t>(batch)) {
    const size_t end = std::min(files.size(), i + static_cast<size_t>(batch));
    std::vector<torch::Tensor> imgs;
    for (size_t f = i; f < end; ++f) {
      ECG_CHECK(is_image(files[f]), files[f].string(), ": the model digitises images; this is not one (",
                join(std::vector<std::string>(kImageExtensions.begin(), kImageExtensions.end()), ", "), ")");
      imgs.push_back(load_image(files[f], io.input_shapes.at(k), io.image_channels));
    }
    const Outputs out = run_batch(p, assemble(io, io.input_names[k], torch::stack(imgs)), "none", req.uncertainty);
    for (size_t f = i; f < end; ++f) {
      const auto j = static_cast<int64_t>(f - i);
      const std::string& id = names[f];
      const cv::Mat page = cv::imread(files[f].string(), cv::IMREAD_COLOR);
      ECG_CHECK(!page.empty(), files[f].string(), ": not a readable image");
      // The page's own panels where page reading finds them, else the model's.
      ModelIo page_io = io;
      auto found = page_panels(page, io.columns > 0 ? io.columns : out.mean.size(-1));
      if (!found.empty()) {
        page_io.panels = std::move(found);
        if (io.columns <= 0) page_io.columns = out.mean.size(-1);
      }
      const data::Record rec = traces_to_record(out.mean[j], page_io, req.fs_hz, id);
      std::vector<std::pair<std::string, data::Record>> to_write{{id, rec}};
      if (out.std.defined())
        to_write.emplace_back(id + "_std", traces_to_record(out.std[j], page_io, req.fs_hz, id + "_std"));
      if (req.plots) {
        std::vector<uchar> png;
        cv::imencode(".png", digitize_plot(page, out.mean[j], page_io, req.plot_page), png);
        const fs::path path = req.out_dir / (id + "_plot.png");
        write_file_atomic(path, std::string(png.begin(), png.end()));
        sum.written.push_back(path);
      }
      for (auto& [stem, r] : to_write) {
        if (format == "kaggle") {
          const fs::path path = req.out_dir / (stem + ".csv");
          data::write_kaggle_csv(r, path);
          sum.written.push_back(path);
        } else if (format == "json") {
          const fs::path path = req.out_dir / (stem + ".json");
          write_json(path, leads_json(r));
          sum.written.push_back(path);
        } else {
          // Format 16 at 1000 units per mV holds +-32.767 mV.
          r.signal = torch::where(torch::isnan(r.signal), r.signal, r.signal.clamp(-32.0, 32.0));
          data::write_wfdb(r, req.out_dir);
          sum.written.push_back(req.out_dir / (stem + ".hea"));
        }
      }
      bar.tick();
    }
  }
}

void classify(Predictor& p, const PredictRequest& req, const std::vector<fs::path>& files, PredictSummary& sum) {
  const ModelIo& io = p.io();
  ECG_CHECK(req.format.empty() || req.format == "json",
            "predict: a classifier writes json (predictions.json and .csv); --format ", req.format,
            " is for digitisers");
  const std::string activation = io.output_activation.empty() ? "none" : io.output_activation;
  const size_t sig = input_index(io, io.input_names.size() == 1 ? io.input_names[0] : "signal");
  const size_t img = input_index(io, io.input_names.size() == 1 ? io.input_names[0] : "image");
  const bool takes_images = io.input_kind == "image" || io.input_kind == "multimodal";
  const bool takes_signals = io.input_kind == "signal" || io.input_kind == "multimodal";
  // Windows of every input, in order.
  std::vector<Window> items;
  std::vector<std::string> modality;
  for (size_t f = 0; f < files.size(); ++f) {
    if (is_image(files[f])) {
      ECG_CHECK(takes_images, files[f].string(), ": the model classifies signals; this is an image");
      items.push_back({f, 0.0, load_image(files[f], io.input_shapes.at(img), io.image_channels)});
      modality.push_back(io.input_names[img]);
    } else {
      ECG_CHECK(takes_signals, files[f].string(), ": the model classifies images; this is a record");
      for (auto& w : record_windows(files[f], f, io, sig)) {
        items.push_back(std::move(w));
        modality.push_back(io.input_names[sig]);
      }
    }
  }
  const int64_t batch = p.dynamic_batch() ? req.batch_size : 1;
  std::vector<torch::Tensor> scores(items.size()), stds(items.size());
  Progress bar(static_cast<int64_t>(items.size()), "win", req.progress);
  for (size_t i = 0; i < items.size();) {
    size_t end = i;
    std::vector<torch::Tensor> xs;
    while (end < items.size() && static_cast<int64_t>(xs.size()) < batch && modality[end] == modality[i])
      xs.push_back(items[end++].x);
    const Outputs out = run_batch(p, assemble(io, modality[i], torch::stack(xs)), activation, req.uncertainty);
    for (size_t j = i; j < end; ++j) {
      scores[j] = out.mean[static_cast<int64_t>(j - i)];
      if (out.std.defined()) stds[j] = out.std[static_cast<int64_t>(j - i)];
    }
    bar.tick(static_cast<int64_t>(end - i));
    i = end;
  }
  // Columns past the classes (multimodal: severity, confidence) are reported apart.
  int64_t n_out = scores.empty() ? 0 : scores[0].numel();
  std::vector<std::string> classes = io.class_names;
  std::vector<std::vector<double>> extra(items.size());
  if (!classes.empty() && static_cast<int64_t>(classes.size()) < n_out) {
    const auto c = static_cast<int64_t>(classes.size());
    for (size_t i = 0; i < items.size(); ++i) {
      const auto rest = scores[i].narrow(0, c, n_out - c).to(torch::kDouble).contiguous();
      extra[i].assign(rest.data_ptr<double>(), rest.data_ptr<double>() + rest.numel());
      scores[i] = scores[i].narrow(0, 0, c);
      if (stds[i].defined()) stds[i] = stds[i].narrow(0, 0, c);
    }
    n_out = c;
  }
  if (static_cast<int64_t>(classes.size()) != n_out) {
    classes.clear();
    for (int64_t c = 0; c < n_out; ++c) classes.push_back("output_" + std::to_string(c));
  }
  auto labels_of = [&](const torch::Tensor& s) {
    std::vector<std::string> labels;
    if (activation == "softmax") {
      labels.push_back(classes[static_cast<size_t>(s.argmax().item<int64_t>())]);
    } else if (activation == "sigmoid") {
      for (int64_t c = 0; c < n_out; ++c)
        if (s[c].item<double>() >= req.threshold) labels.push_back(classes[static_cast<size_t>(c)]);
    }
    return labels;
  };
  auto values = [](const torch::Tensor& t) {
    const auto c = t.to(torch::kDouble).contiguous();
    return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
  };
  nlohmann::json windows = nlohmann::json::array(), records = nlohmann::json::array();
  std::vector<std::string> header{"input", "window_start_s"};
  header.insert(header.end(), classes.begin(), classes.end());
  const bool with_std = req.uncertainty > 0;
  if (with_std)
    for (const auto& c : classes) header.push_back("std_" + c);
  header.push_back("labels");
  std::string csv = csv_row(header);
  for (size_t i = 0; i < items.size(); ++i) {
    nlohmann::json w = {{"input", files[items[i].file].string()},
                        {"window_start_s", items[i].start_s},
                        {"scores", values(scores[i])},
                        {"labels", labels_of(scores[i])}};
    if (stds[i].defined()) w["std"] = values(stds[i]);
    if (!extra[i].empty()) w["extra_outputs"] = extra[i];
    windows.push_back(w);
    std::vector<std::string> row{files[items[i].file].string(), str(items[i].start_s)};
    for (double v : values(scores[i])) row.push_back(str(v));
    if (with_std)
      for (double v : values(stds[i])) row.push_back(str(v));
    row.push_back(join(labels_of(scores[i]), " "));
    csv += csv_row(row);
  }
  for (size_t f = 0; f < files.size(); ++f) {
    std::vector<torch::Tensor> mine;
    for (size_t i = 0; i < items.size(); ++i)
      if (items[i].file == f) mine.push_back(scores[i]);
    const auto mean = torch::stack(mine).mean(0);
    records.push_back({{"input", files[f].string()},
                       {"windows", mine.size()},
                       {"scores", values(mean)},
                       {"labels", labels_of(mean)}});
  }
  const nlohmann::json j = {{"model", io.model},        {"model_file_kind", p.kind()}, {"classes", classes},
                            {"activation", activation}, {"threshold", req.threshold},  {"records", records},
                            {"windows", windows}};
  write_json(req.out_dir / "predictions.json", j);
  write_file_atomic(req.out_dir / "predictions.csv", csv);
  sum.written.push_back(req.out_dir / "predictions.json");
  sum.written.push_back(req.out_dir / "predictions.csv");
}

}  // namespace

std::vector<fs::path> prediction_inputs(const fs::path& path, const ModelIo& io) {
  ECG_CHECK(fs::exists(path), path.string(), ": no such file or directory");
  const bool images = io.task == "digitize" || io.input_kind == "image" || io.input_kind == "multimodal";
  const bool records = io.task != "digitize" && (io.input_kind == "signal" || io.input_kind == "multimodal");
  if (!fs::is_directory(path)) {
    ECG_CHECK(is_image(path) || kRecordExtensions.count(lower_ext(path)) != 0 || lower_ext(path) == ".dat",
              path.string(), ": not an image (.png, .jpg, ...) or a record (.hea, .csv)");
    return {path};
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(path)) {
    if (!e.is_regular_file()) continue;
    if ((images && is_image(e.path())) || (records && kRecordExtensions.count(lower_ext(e.path())) != 0))
      files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ECG_CHECK(!files.empty(), path.string(), ": no ",
            images && records ? "images or records"
            : images          ? "images"
                              : "records",
            " in the directory (", images ? ".png, .jpg, ..." : "", images && records ? "; " : "",
            records ? ".hea, .csv" : "", ")");
  return files;
}

data::Record traces_to_record(const torch::Tensor& traces, const ModelIo& io, double fs_hz, const std::string& id) {
  ECG_CHECK(fs_hz > 0, "predict: --fs must be > 0");
  ECG_CHECK(traces.dim() == 2, "predict: digitiser output must be [leads, columns], got ", traces.sizes());
  const auto t = traces.to(torch::kFloat).contiguous();
  const int64_t width = t.size(1);
  const int64_t columns = io.columns > 0 ? io.columns : width;
  double total_s = 10.0;
  for (const auto& p : io.panels) total_s = std::max(total_s, p.start_s + p.duration_s);
  data::Record r;
  r.id = id;
  r.fs_hz = fs_hz;
  r.leads = io.lead_order;
  r.units.assign(r.leads.size(), "mV");
  const auto n_total = static_cast<int64_t>(std::llround(total_s * fs_hz));
  r.signal = torch::full({static_cast<int64_t>(r.leads.size()), n_total}, NAN);
  auto out = r.signal.accessor<float, 2>();
  const auto in = t.accessor<float, 2>();
  for (const auto& p : io.panels) {
    const auto lit = std::find(r.leads.begin(), r.leads.end(), p.lead);
    if (lit == r.leads.end()) continue;
    const auto l = static_cast<int64_t>(lit - r.leads.begin());
    if (l >= t.size(0)) continue;
    const auto n = static_cast<int64_t>(std::llround(p.duration_s * fs_hz));
    const auto start = static_cast<int64_t>(std::llround(p.start_s * fs_hz));
    for (int64_t j = 0; j < n && start + j < n_total; ++j) {
      const double c = n == 1 ? static_cast<double>(p.first_column)
                              : static_cast<double>(p.first_column) +
                                    static_cast<double>(j) * static_cast<double>(p.last_column - p.first_column) /
                                        static_cast<double>(n - 1);
      double x = (c + 0.5) * static_cast<double>(width) / static_cast<double>(columns) - 0.5;
      x = std::clamp(x, 0.0, static_cast<double>(width - 1));
      const auto x0 = static_cast<int64_t>(std::floor(x));
      const int64_t x1 = std::min(width - 1, x0 + 1);
      const double f = x - static_cast<double>(x0);
      out[l][start + j] = static_cast<float>((1 - f) * in[l][x0] + f * in[l][x1]);
    }
  }
  return r;
}

std::vector<LeadPanel> page_panels(const cv::Mat& page, int64_t columns) {
  ECG_CHECK(columns > 0, "predict: page panels need a positive column count, got ", columns);
  digitize::PageLayoutReading r;
  try {
    r = digitize::read_page_layout(page, digitize::PageReadOptions{});
  } catch (const Error&) {
    return {};
  }
  const auto& f = r.layout;
  const double pps = f.speed_mm_s * f.px_per_mm, last_sample_s = 1.0 / 500;
  auto column_at = [&](const digitize::RowFinding& row, double t_s) {
    const cv::Point2d in = digitize::to_input(r.geometry, {row.x0_px + t_s * pps, row.zero_px});
    const double c = (in.x + 0.5) * static_cast<double>(columns) / static_cast<double>(page.cols) - 0.5;
    return std::clamp<int64_t>(std::llround(c), 0, columns - 1);
  };
  std::vector<LeadPanel> out;
  for (const auto& p : f.layout.panels) {
    const auto& row = f.rows[static_cast<size_t>(p.row)];
    LeadPanel lp;
    lp.lead = p.lead;
    lp.start_s = p.t0_s;
    lp.duration_s = p.t1_s - p.t0_s;
    lp.first_column = column_at(row, p.t0_s);
    lp.last_column = column_at(row, p.t1_s - last_sample_s);
    out.push_back(lp);
  }
  return out;
}

PredictSummary predict(Predictor& p, const PredictRequest& req) {
  const auto t0 = std::chrono::steady_clock::now();
  ECG_CHECK(req.batch_size >= 1, "predict: --batch-size must be >= 1");
  ECG_CHECK(req.uncertainty == 0 || req.uncertainty >= 2, "predict: --uncertainty needs at least 2 passes, got ",
            req.uncertainty);
  const auto files = prediction_inputs(req.input, p.io());
  fs::create_directories(req.out_dir);
  PredictSummary sum;
  sum.inputs = static_cast<int64_t>(files.size());
  if (p.io().task == "digitize")
    digitize(p, req, files, sum);
  else
    classify(p, req, files, sum);
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sum;
}

}  // namespace ecg::exporting
