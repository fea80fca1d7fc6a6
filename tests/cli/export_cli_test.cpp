// `ecgtorch export` and `ecgtorch predict`, end to end on freshly trained tiny runs:
// TorchScript and ONNX files verified against the C++ model, loaded by Python's
// torch.jit.load when Debian's python3-torch is there, and predictions from a checkpoint,
// a TorchScript file and an ONNX file that agree.

#include <torch/script.h>
#include <torch/torch.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <nlohmann/json.hpp>

#include <fstream>

#include "cli_util.h"
#include "core/yaml_io.h"
#include "data/kaggle_csv.h"
#include "data/wfdb.h"
#include "export/onnx_runtime.h"
#include "train/registries.h"

namespace ecg {
namespace {

namespace fs = std::filesystem;
using testing::run_cli;

// A classifier: signal_cnn1d on 12-lead synthetic records, 250 Hz, 2 s.
fs::path train_classifier(const testing::TempDir& dir) {
  const auto job = dir.write("cls.yaml",
                             "experiment: t\nseed: 1\nthreads: 1\nlog_level: warning\n"
                             "model: {name: signal_cnn1d, leads: 12, num_classes: 14, dropout: 0.3}\n"
                             "loss: {terms: [{name: bce}]}\n"
                             "data: {name: synth, fs_hz: 250, duration_s: 2, size: 32}\n"
                             "optimizer: {name: adamw, lr: 0.001}\n"
                             "trainer: {max_steps: 4, batch_size: 4, val_every: 0, workers: 0}\n");
  const auto r = run_cli({"train", "--config", job.string(), "run_dir=" + (dir / "cls").string()});
  EXPECT_EQ(r.status, 0) << r.err;
  return dir / "cls" / "checkpoints" / "step_00000004.pt";
}

// A digitiser on 128 x 96 clean pages.
fs::path train_digitizer(const testing::TempDir& dir) {
  const auto job =
      dir.write("dig.yaml",
                "experiment: t\nseed: 1\nthreads: 1\nlog_level: warning\n"
                "model: {name: digitizer_unet, widths: [8, 16]}\n"
                "loss: {terms: [{name: mse, mask_nan: true}]}\n"
                "data: {name: synth_pages, preset: clean, seed: 0, width: 128, height: 96}\n"
                "val_data: {name: synth_pages, preset: clean, seed: 9, width: 128, height: 96}\n"
                "optimizer: {name: adamw, lr: 0.001}\n"
                "trainer: {max_steps: 2, batch_size: 2, val_every: 2, val_batches: 1, workers: 0, plots: 0}\n");
  const auto r = run_cli({"train", "--config", job.string(), "run_dir=" + (dir / "dig").string()});
  EXPECT_EQ(r.status, 0) << r.err;
  return dir / "dig" / "checkpoints" / "best.pt";
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

nlohmann::json read_json(const fs::path& p) {
  std::ifstream f(p);
  return nlohmann::json::parse(f);
}

TEST(CliExport, TorchScriptAndOnnxOfAClassifierVerifyAndPredictAlike) {
  testing::TempDir dir;
  const fs::path ckpt = train_classifier(dir);
  ASSERT_TRUE(fs::exists(ckpt));
  auto r = run_cli({"export", "--checkpoint", ckpt.string(), "--format", "torchscript", "--out",
                    (dir / "m.pt").string(), "--dynamic-batch", "--verify"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "exported signal_cnn1d (step 4, model weights)")) << r.out;
  EXPECT_TRUE(has(r.out, "verify: random, batch 3: max abs diff 0\n")) << r.out;
  EXPECT_TRUE(has(r.out, "verify: validation examples 0-1: max abs diff 0\n")) << r.out;
  EXPECT_TRUE(has(r.out, "verify: ok (tolerance 1e-05)")) << r.out;

  // The TorchScript file runs with no ecgtorch code: torch::jit::load here, and Python.
  torch::jit::Module jm = torch::jit::load((dir / "m.pt").string());
  jm.eval();
  const auto x = torch::linspace(-1, 1, 3 * 12 * 500).reshape({3, 12, 500});
  const auto cpp = jm.forward({x}).toTensor();
  EXPECT_EQ(cpp.sizes(), (std::vector<int64_t>{3, 14}));
  if (::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") == 0) {
    const std::string py = "/usr/bin/python3 -c \"import torch; m = torch.jit.load('" + (dir / "m.pt").string() +
                           "'); x = torch.linspace(-1, 1, 3 * 12 * 500).reshape(3, 12, 500); "
                           "print('%.9g' % m(x).double().sum().item())\" > " +
                           (dir / "py.txt").string();
    ASSERT_EQ(::system(py.c_str()), 0);
    std::ifstream f(dir / "py.txt");
    double py_sum = 0;
    f >> py_sum;
    EXPECT_NEAR(py_sum, cpp.to(torch::kDouble).sum().item<double>(), 1e-5);
  }

  // A 4 s record: two windows of the model's 2 s.
  data::Record rec;
  rec.id = "r1";
  rec.fs_hz = 250;
  rec.leads = {"I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"};
  rec.units.assign(12, "mV");
  rec.signal = torch::sin(torch::arange(1000).to(torch::kFloat) * 0.05).repeat({12, 1}) * 0.8;
  data::write_wfdb(rec, dir / "records");
  std::vector<std::string> files{ckpt.string(), (dir / "m.pt").string()};
  const bool ort = !exporting::onnx_runtime_missing();
  if (ort) {
    r = run_cli({"export", "--checkpoint", ckpt.string(), "--format", "onnx", "--out", (dir / "m.onnx").string(),
                 "--dynamic-batch", "--verify"});
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_TRUE(has(r.out, "verify: ok (tolerance 0.0001)")) << r.out;
    files.push_back((dir / "m.onnx").string());
  }
  std::vector<nlohmann::json> preds;
  for (size_t i = 0; i < files.size(); ++i) {
    const auto out = dir / ("pred" + std::to_string(i));
    r = run_cli({"predict", "--model", files[i], "--input", (dir / "records").string(), "--out", out.string()});
    ASSERT_EQ(r.status, 0) << files[i] << ": " << r.err;
    preds.push_back(read_json(out / "predictions.json"));
    ASSERT_EQ(preds.back()["windows"].size(), 2U);
    EXPECT_EQ(preds.back()["activation"], "sigmoid");
    EXPECT_EQ(preds.back()["classes"].size(), 14U);
    EXPECT_DOUBLE_EQ(preds.back()["windows"][1]["window_start_s"].get<double>(), 2.0);
  }
  for (size_t i = 1; i < preds.size(); ++i) {
    for (size_t w = 0; w < 2; ++w)
      for (size_t c = 0; c < 14; ++c)
        EXPECT_NEAR(preds[i]["windows"][w]["scores"][c].get<double>(),
                    preds[0]["windows"][w]["scores"][c].get<double>(), 1e-5);
  }
  // MC dropout: from the checkpoint only.
  r = run_cli({"predict", "--model", ckpt.string(), "--input", (dir / "records" / "r1.hea").string(), "--out",
               (dir / "unc").string(), "--uncertainty", "4"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto unc = read_json(dir / "unc" / "predictions.json");
  ASSERT_EQ(unc["windows"][0]["std"].size(), 14U);
  double spread = 0;
  for (const auto& s : unc["windows"][0]["std"]) spread += s.get<double>();
  EXPECT_GT(spread, 0.0);  // dropout 0.3 makes the passes differ
  r = run_cli({"predict", "--model", (dir / "m.pt").string(), "--input", (dir / "records").string(), "--out",
               (dir / "unc2").string(), "--uncertainty", "4"});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r.err, "--uncertainty needs a checkpoint: the torchscript export was traced in eval mode")) << r.err;
}

TEST(CliExport, DigitiserPredictsKaggleCsvWithEachLeadOnItsPanel) {
  testing::TempDir dir;
  const fs::path ckpt = train_digitizer(dir);
  ASSERT_TRUE(fs::exists(ckpt));
  auto r = run_cli({"export", "--checkpoint", ckpt.string(), "--format", "torchscript", "--out",
                    (dir / "d.pt").string(), "--verify"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "verify: validation example 0: max abs diff 0\n")) << r.out;

  // A page of the validation data, as a PNG.
  const auto regs = train::make_builtin_registries();
  const auto ds = regs->datasets.create(
      config::parse_yaml("{name: synth_pages, preset: clean, seed: 9, width: 128, height: 96}", "d"), "data");
  const auto img = (ds->get(0).input.permute({1, 2, 0}) * 255).round().to(torch::kUInt8).contiguous();
  cv::Mat rgb(96, 128, CV_8UC3, img.data_ptr()), bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  fs::create_directories(dir / "pages");
  ASSERT_TRUE(cv::imwrite((dir / "pages" / "p0.png").string(), bgr));
  dir.write("pages/notes.txt", "not an image");

  for (const std::string model : {ckpt.string(), (dir / "d.pt").string()}) {
    const auto out = dir / ("out_" + fs::path(model).stem().string());
    r = run_cli(
        {"predict", "--model", model, "--input", (dir / "pages").string(), "--out", out.string(), "--fs", "100"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(has(r.out, "predicted 1 input(s) with digitizer_unet")) << r.out;
    const data::Record rec = data::read_kaggle_csv(out / "p0.csv", 100);
    ASSERT_EQ(rec.num_leads(), 12);
    ASSERT_EQ(rec.num_samples(), 1000);  // 10 s at 100 Hz
    // Standard 3 x 4 layout: I on 0-2.5 s, aVR on 2.5-5 s, V1 on 5-7.5 s, V4 on 7.5-10 s.
    const auto valid = ~torch::isnan(rec.signal);
    for (const auto& [lead, start] :
         std::vector<std::pair<std::string, int64_t>>{{"I", 0}, {"aVR", 250}, {"V1", 500}, {"V4", 750}}) {
      const auto v = valid[rec.lead_index(lead)];
      EXPECT_EQ(v.sum().item<int64_t>(), 250) << lead;
      EXPECT_TRUE(v[start].item<bool>()) << lead;
      EXPECT_TRUE(v[start + 249].item<bool>()) << lead;
      if (start > 0) EXPECT_FALSE(v[start - 1].item<bool>()) << lead;
    }
  }
  r = run_cli({"predict", "--model", (dir / "d.pt").string(), "--input", (dir / "pages" / "notes.txt").string(),
               "--out", (dir / "x").string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r.err, "notes.txt: not an image (.png, .jpg, ...) or a record (.hea, .csv)")) << r.err;
  r = run_cli(
      {"predict", "--model", (dir / "d.pt").string(), "--input", (dir / "x").string(), "--out", (dir / "y").string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r.err, ": no such file or directory")) << r.err;

  if (!exporting::onnx_runtime_missing()) {
    r = run_cli({"export", "--checkpoint", ckpt.string(), "--format", "onnx", "--out", (dir / "d.onnx").string(),
                 "--verify", "--tolerance", "0"});
    EXPECT_EQ(r.status, 1) << r.out;  // ONNX Runtime's sums differ from LibTorch's in the last bits
    EXPECT_TRUE(has(r.err, "d.onnx differs from the C++ model by more than 0")) << r.err;
    EXPECT_TRUE(has(r.out, "ABOVE TOLERANCE")) << r.out;
  }
}

TEST(CliExport, UsageAndInputErrors) {
  testing::TempDir dir;
  auto r = run_cli({"export", "--checkpoint", "x.pt", "--format", "tflite", "--out", "y"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(has(r.err, "--format")) << r.err;
  r = run_cli({"export", "--format", "onnx"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(has(r.err, "export: --checkpoint, --format and --out are required")) << r.err;
  r = run_cli(
      {"export", "--checkpoint", (dir / "none.pt").string(), "--format", "onnx", "--out", (dir / "o").string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r.err, "none.pt")) << r.err;
  r = run_cli({"export", "--list-ops"});
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(has(r.out, "aten::_convolution\n") && has(r.out, "aten::layer_norm\n") &&
              has(r.out, "aten::upsample_bilinear2d\n"))
      << r.out;
  const auto bogus = dir.write("m.pt", "not a model");
  r = run_cli({"predict", "--model", bogus.string(), "--input", bogus.string(), "--out", (dir / "o").string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r.err, "m.pt: neither an ecgtorch checkpoint nor a TorchScript file")) << r.err;
}

}  // namespace
}  // namespace ecg
