#include "export/export_model.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <chrono>
#include <sstream>

#include "core/atomic_file.h"
#include "core/build_info.h"
#include "core/error.h"
#include "core/strings.h"
#include "export/onnx_export.h"
#include "export/onnx_runtime.h"
#include "export/trace.h"

namespace ecg::exporting {
namespace {

namespace fs = std::filesystem;

// The model's example inputs at batch `batch`, resized to `shapes` (per example) where
// given: standard-normal floats, int64 zeros.
std::vector<torch::Tensor> random_inputs(models::EcgModel& model, const std::vector<std::vector<int64_t>>& shapes,
                                         int64_t batch) {
  auto xs = model.example_inputs(batch);
  for (size_t k = 0; k < xs.size() && k < shapes.size(); ++k) {
    if (xs[k].sizes().slice(1).vec() == shapes[k]) continue;
    std::vector<int64_t> sizes{batch};
    sizes.insert(sizes.end(), shapes[k].begin(), shapes[k].end());
    xs[k] = xs[k].scalar_type() == torch::kLong ? torch::zeros(sizes, torch::kLong) : torch::randn(sizes);
  }
  return xs;
}

std::map<std::string, std::string> onnx_metadata(const train::TrainedModel& t, const ModelIo& io) {
  const BuildInfo build = build_info();
  return {{"ecgtorch_version", build.version},
          {"ecgtorch_model", t.model_name},
          {"ecgtorch_config", t.meta.value("config", std::string())},
          {"ecgtorch_io", io.to_json().dump()},
          {"input_normalization", io.input_normalization},
          {"lead_order", join(io.lead_order, ",")},
          {"sample_rate_hz", str(io.sample_rate_hz)},
          {"class_names", join(io.class_names, ",")},
          {"output_activation", io.output_activation},
          {"checkpoint_step", str(t.meta.value("step", int64_t{0}))},
          {"git_sha", t.meta.value("git_sha", std::string("unknown"))},
          {"weights", t.ema ? "ema" : "model"}};
}

torch::Tensor reference(models::EcgModel& model, const std::vector<torch::Tensor>& xs) {
  torch::NoGradGuard no_grad;
  model.eval();
  return model.forward_inputs(xs);
}

torch::Tensor run_exported(const fs::path& file, ExportFormat format, const ModelIo& io,
                           const std::vector<torch::Tensor>& xs) {
  if (format == ExportFormat::kOnnx) return run_onnx_runtime(file, io.input_names, xs).output;
  torch::jit::Module m = torch::jit::load(file.string());
  m.eval();
  torch::NoGradGuard no_grad;
  std::vector<c10::IValue> args(xs.begin(), xs.end());
  return m.forward(args).toTensor();
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b, const std::string& what) {
  ECG_CHECK(a.sizes() == b.sizes(), "verify (", what, "): output shape ", b.sizes(), " differs from the model's ",
            a.sizes());
  const auto fa = a.to(torch::kFloat), fb = b.to(torch::kFloat);
  // NaN in the same places counts as equal.
  const auto both_nan = torch::isnan(fa) & torch::isnan(fb);
  const auto diff = torch::where(both_nan, torch::zeros_like(fa), (fa - fb).abs());
  const double d = diff.max().item<double>();
  return std::isnan(d) ? std::numeric_limits<double>::infinity() : d;
}

}  // namespace

ExportFormat parse_export_format(const std::string& s) {
  if (s == "torchscript") return ExportFormat::kTorchScript;
  if (s == "onnx") return ExportFormat::kOnnx;
  throw Error("export: --format must be torchscript or onnx, got '" + s + "'");
}

double default_tolerance(ExportFormat format) {
  return format == ExportFormat::kOnnx ? 1e-4 : 1e-5;
}

bool VerifyReport::ok() const {
  for (const auto& c : cases)
    if (!(c.max_abs_diff <= tolerance)) return false;
  return !cases.empty();
}

Exported export_model(train::TrainedModel& trained, const train::Registries& regs, const ExportRequest& request) {
  const auto t0 = std::chrono::steady_clock::now();
  ECG_CHECK(!request.out.empty(), "export: --out is required");
  torch::manual_seed(0);
  Exported e;
  if (!request.input_shape.empty()) {
    ECG_CHECK(trained.model->input_names().size() == 1,
              "export: --input-shape applies to single-input models; this one takes ",
              trained.model->input_names().size());
    const auto own = trained.model->example_inputs(1);
    ECG_CHECK(static_cast<int64_t>(request.input_shape.size()) == own[0].dim() - 1, "export: --input-shape needs ",
              own[0].dim() - 1, " sizes (without the batch), got ", request.input_shape.size());
    e.examples = random_inputs(*trained.model, {request.input_shape}, 1);
  } else {
    // The shapes the model was trained on, when its validation data can be built here.
    std::string why;
    e.examples = validation_inputs(trained, regs, 1, &why);
    if (e.examples.empty()) e.examples = trained.model->example_inputs(1);
  }
  e.io = describe_model_io(trained, regs, e.examples);
  e.io.dynamic_batch = request.dynamic_batch;
  TraceOptions topts;
  topts.dynamic_batch = request.dynamic_batch;
  torch::jit::Module traced = trace_model(*trained.model, e.examples, topts);
  if (request.format == ExportFormat::kTorchScript) {
    std::ostringstream bytes;
    torch::jit::ExtraFilesMap extra{{"ecgtorch_io.json", e.io.to_json().dump(2)},
                                    {"ecgtorch_config.yaml", trained.meta.value("config", std::string())}};
    traced.save(bytes, extra);
    write_file_atomic(request.out, bytes.str());
  } else {
    OnnxOptions o;
    o.opset = request.opset;
    o.dynamic_batch = request.dynamic_batch;
    o.input_names = e.io.input_names;
    o.metadata = onnx_metadata(trained, e.io);
    o.producer_version = build_info().version;
    const onnx::ModelProto m = to_onnx(traced, o);
    check_onnx(m);
    save_onnx(m, request.out);
  }
  e.bytes = static_cast<int64_t>(fs::file_size(request.out));
  e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return e;
}

VerifyReport verify_export(train::TrainedModel& trained, const train::Registries& regs, const Exported& exported,
                           const ExportRequest& request, double tolerance) {
  VerifyReport r;
  r.tolerance = tolerance;
  torch::manual_seed(1);
  std::vector<std::pair<std::string, std::vector<torch::Tensor>>> cases;
  const auto& shapes = exported.io.input_shapes;
  cases.emplace_back("random, batch 1", random_inputs(*trained.model, shapes, 1));
  if (request.dynamic_batch) cases.emplace_back("random, batch 3", random_inputs(*trained.model, shapes, 3));
  std::string why;
  const int64_t n_real = request.dynamic_batch ? 2 : 1;
  auto real = validation_inputs(trained, regs, n_real, &why);
  if (!real.empty()) {
    for (size_t k = 0; k < real.size() && why.empty(); ++k) {
      if (real[k].sizes().slice(1).vec() != shapes[k])
        why = "validation input '" + exported.io.input_names[k] + "' has shape " + ecg::str(real[k].sizes().slice(1)) +
              ", the export " + ecg::str(c10::IntArrayRef(shapes[k]));
    }
    if (why.empty())
      cases.emplace_back(real[0].size(0) == 1 ? "validation example 0"
                                              : "validation examples 0-" + std::to_string(real[0].size(0) - 1),
                         real);
  }
  if (!why.empty()) r.skipped.push_back("validation data: " + why);
  for (const auto& [what, xs] : cases) {
    const auto want = reference(*trained.model, xs);
    const auto got = run_exported(request.out, request.format, exported.io, xs);
    r.cases.push_back({what, max_abs_diff(want, got, what)});
  }
  return r;
}

}  // namespace ecg::exporting
