// `ecgtorch predict --model FILE(.pt|.onnx|checkpoint) --input IMAGE|RECORD|DIR --out DIR
// [--format kaggle|wfdb|json] [--batch-size N] [--uncertainty N] [--fs HZ] [--threshold X]`:
// digitises images or classifies records with a checkpoint, a TorchScript export or an
// ONNX export (export/predict.h says what is written).

#include <unistd.h>

#include <iostream>

#include "commands.h"
#include "export/predict.h"
#include "export/predictor.h"
#include "train/registries.h"

namespace ecg::tools {

Command add_predict_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("predict", "Digitise images or classify records with a checkpoint or an export");
  struct Args {
    std::string model, input, out, format;
    exporting::PredictRequest req;
    bool quiet = false;
  };
  auto a = std::make_shared<Args>();
  sub->add_option("--model", a->model, "checkpoint, TorchScript (.pt) or ONNX (.onnx) file")->required();
  sub->add_option("--input", a->input, "an image, a record (.hea, .csv) or a directory of them")->required();
  sub->add_option("--out", a->out, "output directory")->required();
  sub->add_option("--format", a->format, "digitisers: kaggle (default) | wfdb | json; classifiers: json")
      ->check(CLI::IsMember({"kaggle", "wfdb", "json"}));
  sub->add_option("--batch-size", a->req.batch_size, "inputs per forward pass")
      ->check(CLI::Range(int64_t{1}, int64_t{4096}));
  sub->add_option("--uncertainty", a->req.uncertainty, "MC-dropout passes (checkpoints of models with dropout)")
      ->check(CLI::Range(int64_t{2}, int64_t{10000}));
  sub->add_option("--fs", a->req.fs_hz, "sample rate of digitised records, Hz")->check(CLI::PositiveNumber);
  sub->add_option("--threshold", a->req.threshold, "multi-label decision threshold on the sigmoid")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_flag("--plots", a->req.plots, "digitisers: also <stem>_plot.png, the page and the traces read off it");
  sub->add_flag("!--no-plot-page", a->req.plot_page, "with --plots: the traces only, without the page");
  sub->add_flag("-q,--quiet", a->quiet, "no progress bar");
  return Command{sub, [a]() {
                   exporting::PredictRequest req = a->req;
                   req.input = a->input;
                   req.out_dir = a->out;
                   req.format = a->format;
                   req.progress = !a->quiet && ::isatty(2) != 0;
                   const auto regs = train::make_builtin_registries();
                   auto predictor = exporting::open_predictor(a->model, *regs);
                   const auto sum = exporting::predict(*predictor, req);
                   std::cout << "predicted " << sum.inputs << " input(s) with " << predictor->io().model << " ("
                             << predictor->kind() << ") in " << sum.seconds << " s; wrote " << sum.written.size()
                             << " file(s) to " << req.out_dir.string() << "\n";
                   return 0;
                 }};
}

}  // namespace ecg::tools
