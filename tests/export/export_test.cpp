// Export: tracing with a dynamic batch, the ONNX conversion of every registered model,
// ONNX Runtime agreement (when node and onnxruntime-node are installed), error messages,
// and the ModelIo description.

#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <set>
#include <sstream>

#include "core/yaml_io.h"
#include "data/synth.h"
#include "export/digitize_plot.h"
#include "export/model_io.h"
#include "export/onnx_export.h"
#include "export/onnx_runtime.h"
#include "export/predict.h"
#include "export/trace.h"
#include "models/register_builtin_models.h"
#include "render/page_renderer.h"
#include "test_util.h"

namespace ecg {
namespace {

namespace fs = std::filesystem;

// Every registered model, small enough to trace in well under a second.
const std::vector<std::string>& zoo() {
  static const std::vector<std::string> z = {
      "{name: signal_cnn1d}",
      "{name: signal_cnn1d, norm: group, leads: 12}",
      "{name: resnet1d, widths: [16, 32]}",
      "{name: resnet, depth: 18, num_classes: 4}",
      "{name: mobilenet_v2, width_mult: 0.5}",
      "{name: vit, image_size: [64, 128], dim: 64, depth: 2, heads: 2}",
      "{name: vit_detr, dim: 64, encoder_depth: 2, decoder_depth: 2, heads: 2, queries: 6}",
      "{name: digitizer_unet, widths: [8, 16, 32]}",
      "{name: digitizer_unet, encoder: resnet18, decoder_width: 16}",
      "{name: multimodal, dim: 32, heads: 2, image_size: [32, 64], image_depth: 1, signal_widths: [8, 16]}",
  };
  return z;
}

std::shared_ptr<models::EcgModel> make(const std::string& yaml) {
  static models::ModelRegistry* reg = [] {
    auto* r = new models::ModelRegistry("model");
    models::register_builtin_models(*r);
    return r;
  }();
  torch::manual_seed(0);
  auto m = reg->create(config::parse_yaml(yaml, "model"), "model");
  // Non-trivial BatchNorm statistics, so that eval mode matters.
  torch::NoGradGuard no_grad;
  for (auto& b : m->named_buffers()) {
    if (b.key().find("running_mean") != std::string::npos) b.value().uniform_(-0.1, 0.1);
    if (b.key().find("running_var") != std::string::npos) b.value().uniform_(0.5, 1.5);
  }
  m->eval();
  return m;
}

torch::Tensor eager(models::EcgModel& m, const std::vector<torch::Tensor>& xs) {
  torch::NoGradGuard no_grad;
  return m.forward_inputs(xs);
}

double max_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

TEST(Trace, EveryModelTracesWithADynamicBatchAndSurvivesSaveLoad) {
  for (const auto& yaml : zoo()) {
    SCOPED_TRACE(yaml);
    auto m = make(yaml);
    auto traced = exporting::trace_model(*m, m->example_inputs(1), {});
    const auto x4 = m->example_inputs(4);  // a batch never traced (2, 3, 5 are)
    const auto want = eager(*m, x4);
    EXPECT_LE(max_diff(exporting::run_traced(traced, x4), want), 1e-5);
    std::stringstream bytes;
    traced.save(bytes);
    auto loaded = torch::jit::load(bytes);
    std::vector<c10::IValue> args(x4.begin(), x4.end());
    EXPECT_LE(max_diff(loaded.forward(args).toTensor(), want), 1e-5);
    EXPECT_FALSE(m->is_training());
  }
}

TEST(Trace, StaticBatchKeepsTheTracedBatch) {
  auto m = make("{name: vit, image_size: [32, 32], dim: 32, depth: 1, heads: 2}");
  exporting::TraceOptions o;
  o.dynamic_batch = false;
  auto traced = exporting::trace_model(*m, m->example_inputs(2), o);
  const auto x2 = m->example_inputs(2);
  EXPECT_LE(max_diff(exporting::run_traced(traced, x2), eager(*m, x2)), 1e-5);
  // The class token is expanded to the traced batch, so another batch cannot run.
  EXPECT_ANY_THROW(exporting::run_traced(traced, m->example_inputs(3)));
}

// A model whose graph depends on the batch size.
class BranchyImpl : public models::EcgModel {
 public:
  BranchyImpl() { lin = register_module("lin", torch::nn::Linear(4, 2)); }
  torch::Tensor forward(const torch::Tensor& x) override {
    auto y = lin->forward(x);
    return x.size(0) > 2 ? y.relu() : y.sigmoid();
  }
  std::vector<torch::Tensor> example_inputs(int64_t batch) const override { return {torch::randn({batch, 4})}; }
  torch::nn::Linear lin{nullptr};
};

TEST(Trace, AGraphThatChangesWithTheBatchIsRefused) {
  BranchyImpl m;
  EXPECT_ERROR_HAS(exporting::trace_model(m, m.example_inputs(1), {}), "changes with the batch size");
  exporting::TraceOptions o;
  o.dynamic_batch = false;
  EXPECT_NO_THROW(exporting::trace_model(m, m.example_inputs(1), o));
}

// cumprod has no ONNX conversion; it sits after the parameters of module "block.head".
class HeadImpl : public torch::nn::Module {
 public:
  HeadImpl() { lin = register_module("head", torch::nn::Linear(4, 3)); }
  torch::Tensor forward(const torch::Tensor& x) { return torch::cumprod(lin->forward(x), 1); }
  torch::nn::Linear lin{nullptr};
};
TORCH_MODULE(Head);

class UnsupportedImpl : public models::EcgModel {
 public:
  UnsupportedImpl() { block = register_module("block", Head()); }
  torch::Tensor forward(const torch::Tensor& x) override { return block->forward(x.relu()); }
  std::vector<torch::Tensor> example_inputs(int64_t batch) const override { return {torch::randn({batch, 4})}; }
  Head block{nullptr};
};

TEST(Onnx, AnUnsupportedOpNamesTheOpAndItsModule) {
  UnsupportedImpl m;
  auto traced = exporting::trace_model(m, m.example_inputs(1), {});
  exporting::OnnxOptions o;
  o.input_names = {"input"};
  EXPECT_ERROR_HAS(exporting::to_onnx(traced, o), "unsupported op aten::cumprod in module 'block.head'");
}

const onnx::NodeProto* find_op(const onnx::ModelProto& m, const std::string& type) {
  for (const auto& n : m.graph().node())
    if (n.op_type() == type) return &n;
  return nullptr;
}

// The model traced at batch 1 with its example inputs, converted with one input "input".
onnx::ModelProto onnx_of(models::EcgModel& m) {
  exporting::OnnxOptions o;
  o.input_names = {"input"};
  return exporting::to_onnx(exporting::trace_model(m, m.example_inputs(1), {}), o);
}

// The trace reader's coordinate channel is a cumsum over the strip's rows: ONNX CumSum.
TEST(Onnx, TheTraceReaderConvertsWithItsCoordinateChannel) {
  auto m = make("name: trace_reader\nwidths: [4, 8]\nexample_height: 32\nexample_width: 64");
  const auto model = onnx_of(*m);
  EXPECT_NO_THROW(exporting::check_onnx(model));
  const auto* cumsum = find_op(model, "CumSum");
  ASSERT_NE(cumsum, nullptr);
  EXPECT_EQ(cumsum->input_size(), 2);
}

TEST(Onnx, EveryModelConvertsAndPassesTheChecker) {
  for (const auto& yaml : zoo()) {
    SCOPED_TRACE(yaml);
    auto m = make(yaml);
    auto traced = exporting::trace_model(*m, m->example_inputs(1), {});
    exporting::OnnxOptions o;
    o.input_names = m->input_names();
    o.metadata = {{"lead_order", "I,II"}};
    const auto model = exporting::to_onnx(traced, o);
    EXPECT_NO_THROW(exporting::check_onnx(model));
    EXPECT_EQ(model.opset_import(0).version(), 17);
    ASSERT_EQ(model.graph().input_size(), static_cast<int>(o.input_names.size()));
    for (int i = 0; i < model.graph().input_size(); ++i) {
      EXPECT_EQ(model.graph().input(i).name(), o.input_names[static_cast<size_t>(i)]);
      EXPECT_EQ(model.graph().input(i).type().tensor_type().shape().dim(0).dim_param(), "batch");
    }
    EXPECT_EQ(model.graph().output(0).name(), "output");
    EXPECT_EQ(model.metadata_props(0).key(), "lead_order");
    // Every parameter is an initializer under its module path (the digitiser does not use
    // its backbone's classifier).
    std::set<std::string> inits;
    for (const auto& t : model.graph().initializer()) inits.insert(t.name());
    for (const auto& p : m->named_parameters())
      if (p.key().rfind("encoder.fc.", 0) != 0) {
        EXPECT_TRUE(inits.count(p.key()) == 1) << p.key();
      }
  }
}

TEST(Onnx, ConvolutionAttributesAndParameterBytes) {
  auto m = make("{name: signal_cnn1d}");
  const auto model = onnx_of(*m);
  const auto* conv = find_op(model, "Conv");
  ASSERT_NE(conv, nullptr);
  std::map<std::string, std::vector<int64_t>> attrs;
  for (const auto& a : conv->attribute()) attrs[a.name()] = {a.ints().begin(), a.ints().end()};
  EXPECT_EQ(attrs["kernel_shape"], std::vector<int64_t>({7}));
  EXPECT_EQ(attrs["pads"], std::vector<int64_t>({3, 3}));
  for (const auto& t : model.graph().initializer()) {
    if (t.name() != "head.weight") continue;
    const auto w = m->named_parameters()["head.weight"];
    ASSERT_EQ(t.raw_data().size(), static_cast<size_t>(w.numel()) * 4);
    EXPECT_EQ(std::memcmp(t.raw_data().data(), w.data_ptr<float>(), t.raw_data().size()), 0);
  }
}

TEST(Onnx, Opset13DecomposesLayerNormalization) {
  auto m = make("{name: vit, image_size: [32, 32], dim: 32, depth: 1, heads: 2}");
  auto traced = exporting::trace_model(*m, m->example_inputs(1), {});
  exporting::OnnxOptions o;
  o.input_names = {"input"};
  EXPECT_NE(find_op(exporting::to_onnx(traced, o), "LayerNormalization"), nullptr);
  o.opset = 13;
  const auto model = exporting::to_onnx(traced, o);
  EXPECT_EQ(find_op(model, "LayerNormalization"), nullptr);
  EXPECT_NO_THROW(exporting::check_onnx(model));
  o.opset = 12;
  EXPECT_ERROR_HAS(exporting::to_onnx(traced, o), "--opset must be in [13, 17], got 12");
}

TEST(Onnx, SaveAndLoadRoundTrip) {
  testing::TempDir dir;
  auto m = make("{name: signal_cnn1d}");
  const auto model = onnx_of(*m);
  exporting::save_onnx(model, dir / "m.onnx");
  EXPECT_EQ(exporting::load_onnx(dir / "m.onnx").SerializeAsString(), model.SerializeAsString());
  dir.write("bad.onnx", "\x01\x02not protobuf at all");
  EXPECT_ERROR_HAS(exporting::load_onnx(dir / "bad.onnx"), "bad.onnx: not an ONNX model");
}

TEST(OnnxRuntime, EveryModelMatchesLibTorchAtAnUntracedBatch) {
  if (const auto why = exporting::onnx_runtime_missing()) GTEST_SKIP() << "ONNX Runtime not available: " << *why;
  testing::TempDir dir;
  for (size_t i = 0; i < zoo().size(); ++i) {
    const auto& yaml = zoo()[i];
    SCOPED_TRACE(yaml);
    auto m = make(yaml);
    for (const int64_t opset : {int64_t{17}, int64_t{13}}) {
      if (opset == 13 && yaml.find("vit") == std::string::npos) continue;  // only LayerNorm differs
      exporting::OnnxOptions o;
      o.input_names = m->input_names();
      o.opset = opset;
      const auto file = dir / ("m" + std::to_string(i) + "_" + std::to_string(opset) + ".onnx");
      exporting::save_onnx(exporting::to_onnx(exporting::trace_model(*m, m->example_inputs(1), {}), o), file);
      const auto x4 = m->example_inputs(4);
      const auto r = exporting::run_onnx_runtime(file, m->input_names(), x4);
      // Relative to the output's scale: a random digitiser's traces span tens of mV, and
      // its float32 eager output is itself 3e-4 mV away from a float64 run.
      const auto want = eager(*m, x4);
      const double scale = std::max(1.0, want.abs().max().item<double>());
      EXPECT_LE(max_diff(r.output, want), 1e-4 * scale) << "opset " << opset << ", scale " << scale;
    }
  }
}

TEST(OnnxRuntime, AFailingRunNamesTheFile) {
  if (const auto why = exporting::onnx_runtime_missing()) GTEST_SKIP() << "ONNX Runtime not available: " << *why;
  testing::TempDir dir;
  auto m = make("{name: signal_cnn1d}");
  exporting::OnnxOptions o;
  o.input_names = {"input"};
  const auto file = dir / "m.onnx";
  exporting::save_onnx(exporting::to_onnx(exporting::trace_model(*m, m->example_inputs(1), {}), o), file);
  // 2 leads where the model takes 1.
  EXPECT_ERROR_HAS(exporting::run_onnx_runtime(file, {"input"}, {torch::randn({1, 2, 360})}),
                   "m.onnx: ONNX Runtime failed");
}

TEST(ModelIo, JsonRoundTripAndErrors) {
  exporting::ModelIo io;
  io.model = "digitizer_unet";
  io.task = "digitize";
  io.input_names = {"input"};
  io.input_shapes = {{3, 384, 512}};
  io.input_kind = "image";
  io.image_channels = "rgb";
  io.input_normalization = "RGB float in [0, 1]";
  io.lead_order = {"I", "II"};
  io.sample_rate_hz = 0;
  io.output_activation = "none";
  io.columns = 512;
  io.panels = {{"I", 33, 147, 0.0, 2.5}};
  const auto back = exporting::ModelIo::from_json(io.to_json(), "x");
  EXPECT_EQ(back.to_json(), io.to_json());
  EXPECT_EQ(back.panels[0].last_column, 147);
  auto j = io.to_json();
  j.erase("panels");
  EXPECT_ERROR_HAS(exporting::ModelIo::from_json(j, "model.onnx"), "model.onnx: bad ecgtorch_io description");
  auto huge = io.to_json();
  huge["panels"][0]["duration_s"] = 1e12;  // would allocate a record of 1e14 samples
  EXPECT_ERROR_HAS(exporting::ModelIo::from_json(huge, "m.pt"), "panel 'I': start_s must be in [0, 3600]");
  auto outside = io.to_json();
  outside["panels"][0]["last_column"] = 512;
  EXPECT_ERROR_HAS(exporting::ModelIo::from_json(outside, "m.pt"), "panel 'I': columns must satisfy");
  // A trace reader's strip options and stride travel with it.
  digitize::StripOptions strip;
  strip.height_px = 128;
  strip.height_rows = 2.25;
  io.strip = strip;
  io.size_multiple = 16;
  const auto reader = exporting::ModelIo::from_json(io.to_json(), "r.pt");
  ASSERT_TRUE(reader.strip.has_value());
  EXPECT_EQ(reader.strip->height_px, 128);
  EXPECT_EQ(reader.strip->height_rows, 2.25);
  EXPECT_EQ(reader.strip->columns_per_s, 500);
  EXPECT_EQ(reader.size_multiple, 16);
  EXPECT_EQ(reader.to_json(), io.to_json());
  EXPECT_FALSE(exporting::ModelIo::from_json(back.to_json(), "x").strip.has_value());
  auto bad = io.to_json();
  bad["strip"]["height_px"] = 8;
  EXPECT_ERROR_HAS(exporting::ModelIo::from_json(bad, "r.ts"), "r.ts: bad strip options: columns_per_s in (0, 1e5]");
  bad = io.to_json();
  bad["size_multiple"] = 0;
  EXPECT_ERROR_HAS(exporting::ModelIo::from_json(bad, "r.ts"), "size_multiple must be in [1, 4096]");
}

TEST(Predict, TracesArePlacedOnTheirPanelsByColumn) {
  exporting::ModelIo io;
  io.task = "digitize";
  io.lead_order = {"I", "aVR"};
  io.columns = 10;  // the panels' columns; the traces have 20 (twice as wide)
  io.panels = {{"I", 0, 4, 0.0, 1.0}, {"aVR", 5, 9, 1.0, 0.5}};
  const auto traces = torch::stack({torch::arange(20).to(torch::kFloat), -torch::arange(20).to(torch::kFloat)});
  const data::Record r = exporting::traces_to_record(traces, io, 4.0, "p");
  ASSERT_EQ(r.num_samples(), 40);  // at least 10 s at 4 Hz
  EXPECT_EQ(r.leads, io.lead_order);
  // I: 4 samples over panel columns 0..4, i.e. x = 2c + 0.5 for c = 0, 4/3, 8/3, 4.
  const auto s = r.signal;
  EXPECT_FLOAT_EQ(s[0][0].item<float>(), 0.5F);
  EXPECT_FLOAT_EQ(s[0][1].item<float>(), 2.0F * 4.0F / 3.0F + 0.5F);
  EXPECT_FLOAT_EQ(s[0][3].item<float>(), 8.5F);
  EXPECT_TRUE(std::isnan(s[0][4].item<float>()));
  // aVR: 2 samples from 1.0 s (sample 4), columns 5 and 9 -> x = 10.5 and 18.5.
  EXPECT_TRUE(std::isnan(s[1][3].item<float>()));
  EXPECT_FLOAT_EQ(s[1][4].item<float>(), -10.5F);
  EXPECT_FLOAT_EQ(s[1][5].item<float>(), -18.5F);
  EXPECT_EQ((~torch::isnan(s)).sum().item<int64_t>(), 6);
  EXPECT_ERROR_HAS(exporting::traces_to_record(traces, io, 0.0, "p"), "--fs must be > 0");
}

// A digitiser's output is read at the page's own panels (page reading), so a page drawn
// 150 px further right is read 150 px further right, and a page with no ECG keeps the
// model's panels (page_panels is empty).
TEST(Predict, PagePanelsFollowThePage) {
  const data::Record record = data::synthesize(data::synth_class_options("sinus", 3)).record;
  const render::Page page = render::PageRenderer(render::PageOptions()).render(record, 5);
  const int64_t columns = 512;
  // The page as drawn, and the same page 150 px further right on a wider sheet.
  for (const int dx : {0, 150}) {
    cv::Mat image(page.image.rows, page.image.cols + dx, page.image.type(), cv::Scalar(255, 255, 255));
    page.image.copyTo(image(cv::Rect(dx, 0, page.image.cols, page.image.rows)));
    const auto panels = exporting::page_panels(image, columns);
    ASSERT_EQ(panels.size(), 13U) << dx;
    const double per_px = static_cast<double>(columns) / image.cols;
    for (const auto& lt : page.truth.leads) {
      int found = 0;
      for (const auto& p : panels) {
        if (p.lead != lt.lead_name || std::llround(p.start_s * lt.sampling_frequency) != lt.start_sample ||
            std::llround((p.start_s + p.duration_s) * lt.sampling_frequency) != lt.end_sample)
          continue;
        ++found;
        EXPECT_NEAR(static_cast<double>(p.first_column), (lt.plotted_pixels.front().x + dx + 0.5) * per_px - 0.5, 1.0)
            << p.lead << " shifted " << dx;
        EXPECT_NEAR(static_cast<double>(p.last_column), (lt.plotted_pixels.back().x + dx + 0.5) * per_px - 0.5, 1.0)
            << p.lead << " shifted " << dx;
      }
      EXPECT_EQ(found, 1) << lt.lead_name << " from sample " << lt.start_sample;
    }
  }
  EXPECT_TRUE(exporting::page_panels(cv::Mat(400, 600, CV_8UC3, cv::Scalar(255, 255, 255)), columns).empty());
  EXPECT_ERROR_HAS(exporting::page_panels(page.image, 0), "positive column count");
}

TEST(Predict, DigitizePlotStacksThePageOverOneStripPerRowOfPanels) {
  exporting::ModelIo io;
  io.task = "digitize";
  io.lead_order = {"I", "II", "aVR"};
  io.input_shapes = {{3, 30, 40}};
  io.columns = 40;
  io.panels = {{"I", 0, 19, 0.0, 2.5}, {"aVR", 20, 39, 2.5, 2.5}, {"II", 0, 19, 0.0, 2.5}};  // I and aVR share a row
  const cv::Mat page(60, 80, CV_8UC3, cv::Scalar(255, 0, 0));
  auto traces = torch::zeros({3, 40});
  traces[0].fill_(1.0);  // lead I at +1 mV: 20 px above its strip's 0 mV line
  const cv::Mat m = exporting::digitize_plot(page, traces, io);
  ASSERT_EQ(m.cols, 40);
  ASSERT_EQ(m.rows, 30 + 2 * 80);  // the page at the input height, then 2 strips of 4 mV x 20 px
  EXPECT_EQ(m.at<cv::Vec3b>(5, 5), cv::Vec3b(255, 0, 0));  // the page, resized
  const int mid = 30 + 40;                                 // strip 0's 0 mV row
  const cv::Vec3b ink = m.at<cv::Vec3b>(mid - 20, 10);
  EXPECT_LT(ink[2], 100) << "lead I's trace at +1 mV";  // dark blue-ish ink, not the pink grid
  const cv::Mat strips = exporting::digitize_plot(page, traces, io, /*with_page=*/false);
  EXPECT_EQ(strips.rows, 2 * 80);
  EXPECT_EQ(cv::norm(strips, m.rowRange(30, m.rows), cv::NORM_INF), 0.0);  // the same strips
  EXPECT_ERROR_HAS(exporting::digitize_plot(page, torch::zeros({3}), io), "traces must be [leads, columns]");
}

}  // namespace
}  // namespace ecg
