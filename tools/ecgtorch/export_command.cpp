// `ecgtorch export --checkpoint CKPT --format torchscript|onnx --out FILE [--opset N]
// [--dynamic-batch] [--input-shape CxHxW] [--verify] [--tolerance X]`: writes a serving
// file for the checkpoint's model (export/export_model.h). With --verify it runs the file
// on random and validation inputs and exits 1 when the largest absolute difference from
// the C++ model exceeds the tolerance. `--list-ops` prints the aten ops the ONNX export
// converts.

#include <iostream>

#include "commands.h"
#include "core/strings.h"
#include "export/export_model.h"
#include "export/onnx_export.h"
#include "train/registries.h"

namespace ecg::tools {
namespace {

std::vector<int64_t> parse_shape(const std::string& s) {
  std::vector<int64_t> dims;
  for (const auto& part : split(s, 'x')) {
    try {
      size_t used = 0;
      const long long v = std::stoll(part, &used);
      if (used != part.size() || v <= 0) throw std::invalid_argument(part);
      dims.push_back(v);
    } catch (const std::exception&) {
      throw UsageError("export: --input-shape must be sizes joined by 'x' (e.g. 3x384x512), got '" + s + "'");
    }
  }
  return dims;
}

std::string megabytes(int64_t bytes) {
  return str(static_cast<double>(bytes) / 1e6, " MB");
}

}  // namespace

Command add_export_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("export", "Export a checkpoint to TorchScript or ONNX, optionally verified");
  struct Args {
    std::string checkpoint, format, out, input_shape;
    int64_t opset = exporting::kMaxOpset;
    bool dynamic_batch = false, verify = false, list_ops = false;
    double tolerance = -1;
  };
  auto a = std::make_shared<Args>();
  sub->add_option("--checkpoint", a->checkpoint, "checkpoint (.pt) written by ecgtorch train");
  sub->add_option("--format", a->format, "torchscript | onnx")->check(CLI::IsMember({"torchscript", "onnx"}));
  sub->add_option("--out", a->out, "output file (.pt for TorchScript, .onnx)");
  sub->add_option("--opset", a->opset, "ONNX opset")->check(CLI::Range(exporting::kMinOpset, exporting::kMaxOpset));
  sub->add_flag("--dynamic-batch", a->dynamic_batch, "symbolic batch dimension (traced at batch 2, 3 and 5)");
  sub->add_option("--input-shape", a->input_shape, "per-example input sizes, e.g. 3x512x2048 (default: the model's)");
  sub->add_flag("--verify", a->verify, "run the file on random and validation inputs against the C++ model");
  sub->add_option("--tolerance", a->tolerance,
                  "largest allowed absolute difference (default 1e-5 TorchScript, 1e-4 ONNX)");
  sub->add_flag("--list-ops", a->list_ops, "print the aten ops the ONNX export converts, and exit");
  return Command{sub, [a]() {
                   if (a->list_ops) {
                     for (const auto& op : exporting::supported_aten_ops()) std::cout << op << "\n";
                     return 0;
                   }
                   if (a->checkpoint.empty() || a->format.empty() || a->out.empty())
                     throw UsageError("export: --checkpoint, --format and --out are required");
                   exporting::ExportRequest req;
                   req.format = exporting::parse_export_format(a->format);
                   req.out = a->out;
                   req.opset = a->opset;
                   req.dynamic_batch = a->dynamic_batch;
                   if (!a->input_shape.empty()) req.input_shape = parse_shape(a->input_shape);
                   const auto regs = train::make_builtin_registries();
                   train::TrainedModel trained = train::load_trained_model(a->checkpoint, *regs);
                   const exporting::Exported e = exporting::export_model(trained, *regs, req);
                   std::cout << "exported " << trained.model_name << " (step " << trained.meta.value("step", int64_t{0})
                             << ", " << (trained.ema ? "EMA" : "model") << " weights) to " << req.out.string() << ": "
                             << megabytes(e.bytes) << " in " << e.seconds << " s\n";
                   if (!a->verify) return 0;
                   const double tol = a->tolerance >= 0 ? a->tolerance : exporting::default_tolerance(req.format);
                   const auto report = exporting::verify_export(trained, *regs, e, req, tol);
                   for (const auto& c : report.cases)
                     std::cout << "verify: " << c.what << ": max abs diff " << c.max_abs_diff
                               << (c.max_abs_diff <= tol ? "" : "  ABOVE TOLERANCE") << "\n";
                   for (const auto& s : report.skipped) std::cout << "verify: skipped " << s << "\n";
                   if (!report.ok()) {
                     std::cerr << "ecgtorch: error: export --verify: " << req.out.string()
                               << " differs from the C++ model by more than " << tol << "\n";
                     return 1;
                   }
                   std::cout << "verify: ok (tolerance " << tol << ")\n";
                   return 0;
                 }};
}

}  // namespace ecg::tools
