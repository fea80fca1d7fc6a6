// `ecgtorch digitize` end to end: a folder with a good page and a broken one.

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include <cmath>

#include <nlohmann/json.hpp>

#include "../cli/cli_util.h"
#include "core/atomic_file.h"
#include "data/kaggle_csv.h"
#include "data/synth.h"
#include "digitize/page_image.h"
#include "losses/snr_metrics.h"
#include "render/page_renderer.h"

namespace ecg::digitize {
namespace {

namespace fs = std::filesystem;
using ecg::testing::run_cli;

std::vector<double> lead(const data::Record& r, const std::string& name, int64_t a, int64_t b) {
  const auto t = r.signal[r.lead_index(name)].slice(0, a, b).to(torch::kFloat64).contiguous();
  return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
}

TEST(DigitizeCli, ReadsGoodPagesAndNamesTheBadOnes) {
  ecg::testing::TempDir tmp;
  const data::Record record = data::synthesize(data::synth_class_options("sinus", 11)).record;
  const render::PageRenderer renderer{render::PageOptions()};
  fs::create_directories(tmp / "in");
  ASSERT_TRUE(cv::imwrite((tmp / "in/good.png").string(), renderer.render(record, 3).image));
  const std::string png = read_file(tmp / "in/good.png");
  tmp.write("in/broken.png", png.substr(0, png.size() / 3));
  tmp.write("in/notes.txt", "not a page");

  const auto r = run_cli(
      {"digitize", "--input", (tmp / "in").string(), "--out", (tmp / "out").string(), "--format", "kaggle,json"});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("broken.png: truncated PNG (no IEND chunk)"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("digitized 1 of 2 page(s) with the classical reader"), std::string::npos) << r.out;
  std::vector<std::string> written;
  for (const auto& e : fs::directory_iterator(tmp / "out")) written.push_back(e.path().filename().string());
  std::sort(written.begin(), written.end());
  EXPECT_EQ(written, (std::vector<std::string>{"good.csv", "good.json"}));  // no temp files, nothing for broken

  const data::Record got = data::read_kaggle_csv(tmp / "out/good.csv");
  EXPECT_EQ(got.fs_hz, 500);
  ASSERT_EQ(got.num_samples(), 5000);
  EXPECT_EQ(got.leads, data::standard_leads());
  // Lead I is plotted over [0, 2.5 s), lead II over the whole rhythm strip.
  EXPECT_TRUE(std::isfinite(got.signal[0][1249].item<float>()));
  EXPECT_TRUE(std::isnan(got.signal[0][1250].item<float>()));
  EXPECT_TRUE(std::isfinite(got.signal[1][4999].item<float>()));
  // What was read matches the record drawn (Challenge SNR, no alignment).
  EXPECT_GE(losses::challenge2024_snr_db(lead(record, "II", 0, 5000), lead(got, "II", 0, 5000)), 15.0);
  EXPECT_GE(losses::challenge2024_snr_db(lead(record, "V4", 3750, 5000), lead(got, "V4", 3750, 5000)), 15.0);

  const auto j = nlohmann::json::parse(read_file(tmp / "out/good.json"));
  EXPECT_EQ(j["layout"]["name"], "3x4+1");
  EXPECT_EQ(j["geometry"]["scale_source"], "grid");
  EXPECT_NEAR(j["geometry"]["px_per_mm_x"].get<double>(), 200 / 25.4, 0.02);
  EXPECT_EQ(j["leads"].size(), 13u);
  EXPECT_EQ(j["leads"][0]["mv"].size(), 1250u);
}

// A PDF as an ECG machine exports it: a letter page (792 x 612 pt) holding the page as a
// JPEG image, then an empty page. Written by hand: the smallest valid PDF with an xref.
std::string two_page_pdf(const std::string& jpeg, int w, int h) {
  std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 792 612] /Resources << /XObject << /Im0 4 0 R >> >> "
      "/Contents 5 0 R >>",
      "<< /Type /XObject /Subtype /Image /Width " + std::to_string(w) + " /Height " + std::to_string(h) +
          " /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length " + std::to_string(jpeg.size()) +
          " >>\nstream\n" + jpeg + "\nendstream",
      "<< /Length 31 >>\nstream\nq 792 0 0 612 0 0 cm /Im0 Do Q\nendstream",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 792 612] /Contents 7 0 R >>",
      "<< /Length 0 >>\nstream\n\nendstream"};
  std::string pdf = "%PDF-1.4\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t o : offsets) {
    const std::string n = std::to_string(o);
    pdf += std::string(10 - n.size(), '0') + n + " 00000 n \n";
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

TEST(DigitizeCli, ReadsEachPageOfAPdf) {
  if (!digitize::pdf_supported()) GTEST_SKIP() << "this build has no poppler-cpp: PDF input is off";
  ecg::testing::TempDir tmp;
  const data::Record record = data::synthesize(data::synth_class_options("sinus", 12)).record;
  const cv::Mat page = render::PageRenderer(render::PageOptions()).render(record, 4).image;
  std::vector<uchar> jpeg;
  ASSERT_TRUE(cv::imencode(".jpg", page, jpeg, {cv::IMWRITE_JPEG_QUALITY, 95}));
  tmp.write("doc.pdf", two_page_pdf(std::string(jpeg.begin(), jpeg.end()), page.cols, page.rows));
  const auto r =
      run_cli({"digitize", (tmp / "doc.pdf").string(), "--out", (tmp / "out").string(), "--format", "kaggle,json"});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("doc.pdf (doc-p2): no ink found on the page"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(tmp / "out/doc-p1.csv"));
  EXPECT_FALSE(fs::exists(tmp / "out/doc-p2.csv"));
  // Rendered at 200 dpi, the letter page is the 2200 x 1700 page drawn, so its scale is exact.
  const auto j = nlohmann::json::parse(read_file(tmp / "out/doc-p1.json"));
  EXPECT_EQ(j["geometry"]["input_size"], nlohmann::json::array({2200, 1700}));
  EXPECT_NEAR(j["geometry"]["px_per_mm_x"].get<double>(), 200 / 25.4, 0.02);
  EXPECT_EQ(j["layout"]["name"], "3x4+1");
  const data::Record got = data::read_kaggle_csv(tmp / "out/doc-p1.csv");
  EXPECT_GE(losses::challenge2024_snr_db(lead(record, "II", 0, 5000), lead(got, "II", 0, 5000)), 15.0);
}

TEST(DigitizeCli, UsageErrors) {
  ecg::testing::TempDir tmp;
  auto r = run_cli({"digitize", "--input", (tmp / "none.png").string(), "--out", (tmp / "o").string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("none.png: no such file or folder"), std::string::npos) << r.err;
  tmp.write("p.png", "x");
  r = run_cli({"digitize", (tmp / "p.png").string(), "--format", "xml"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--format must be kaggle, wfdb or json"), std::string::npos) << r.err;
  r = run_cli({"digitize", (tmp / "p.png").string(), "--use-truth", "grid"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--use-truth must be scale, layout or scale,layout, got 'grid'"), std::string::npos) << r.err;
  ASSERT_TRUE(cv::imwrite((tmp / "page.png").string(), cv::Mat(300, 400, CV_8UC3, cv::Scalar(255, 255, 255))));
  r = run_cli({"digitize", (tmp / "page.png").string(), "--use-truth", "layout", "--out", tmp.path().string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("page.json"), std::string::npos) << r.err;
  r = run_cli({"digitize", (tmp / "p.png").string(), "--reader", "neural"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(
      r.err.find(
          "--reader must be classical or a trace_reader file (checkpoint or export), got 'neural' (no such file)"),
      std::string::npos)
      << r.err;
  // A file that is not a trace reader's checkpoint: one line naming it.
  r = run_cli({"digitize", (tmp / "page.png").string(), "--reader", (tmp / "page.png").string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("page.png"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ecg::digitize

namespace ecg::digitize {
namespace {

// A trace reader trained for 2 steps on trace_strips reads a page through `digitize
// --reader CHECKPOINT`: the strips are cut with the options of its own data section, and
// every lead comes out at 500 Hz. A checkpoint of another model is one line naming it.
TEST(DigitizeCli, ReadsWithATrainedTraceReaderCheckpoint) {
  ecg::testing::TempDir tmp;
  const auto job = tmp.write("reader.yaml",
                             "experiment: t\nseed: 1\nthreads: 1\nlog_level: warning\n"
                             "model: {name: trace_reader, widths: [4, 8]}\n"
                             "loss: {terms: [{name: strip_gaussian_ce}, {name: strip_snr, weight: 0.1}, "
                             "{name: strip_confidence}]}\n"
                             "data: {name: trace_strips, preset: clean, window_s: 0.512, height_px: 64}\n"
                             "metrics: [{name: strip_trace}]\n"
                             "optimizer: {name: adamw, lr: 0.001}\n"
                             "trainer: {max_steps: 2, batch_size: 2, val_every: 0, workers: 0, plots: 0}\n");
  auto r = run_cli({"train", "--config", job.string(), "run_dir=" + (tmp / "run").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto ckpt = tmp / "run" / "checkpoints" / "step_00000002.pt";
  const data::Record record = data::synthesize(data::synth_class_options("sinus", 11)).record;
  fs::create_directories(tmp / "in");
  ASSERT_TRUE(
      cv::imwrite((tmp / "in/page.png").string(), render::PageRenderer{render::PageOptions()}.render(record, 3).image));
  r = run_cli({"digitize", (tmp / "in").string(), "--out", (tmp / "out").string(), "--reader", ckpt.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("with the learned (step_00000002.pt) reader"), std::string::npos) << r.out;
  const auto csv = data::read_kaggle_csv(tmp / "out/page.csv");
  EXPECT_EQ(csv.signal.size(1), 5000);
  int64_t finite = 0;
  for (const auto& name : {"I", "II", "V6"})
    finite += torch::isfinite(csv.signal[csv.lead_index(name)]).sum().item<int64_t>();
  EXPECT_EQ(finite, 1250 + 5000 + 1250);  // a panel each, and II's rhythm strip
  // Its TorchScript export carries the strip options and, traced at one size, reads each
  // strip in windows of that size:
  r = run_cli(
      {"export", "--checkpoint", ckpt.string(), "--format", "torchscript", "--out", (tmp / "reader.ts").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  r = run_cli({"digitize", (tmp / "in").string(), "--out", (tmp / "out_ts").string(), "--reader",
               (tmp / "reader.ts").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("with the learned (reader.ts) reader"), std::string::npos) << r.out;
  const auto ts = data::read_kaggle_csv(tmp / "out_ts/page.csv");
  ASSERT_EQ(ts.signal.sizes(), csv.signal.sizes());
  const auto both = torch::isfinite(csv.signal) & torch::isfinite(ts.signal);
  EXPECT_TRUE(torch::equal(torch::isfinite(csv.signal), torch::isfinite(ts.signal)));
  // read in windows of its traced 256 columns: the same signals within 0.02 mV
  EXPECT_LT((ts.signal - csv.signal).abs().masked_select(both).max().item<double>(), 0.02);
  // A digitiser's checkpoint is not a trace reader.
  const auto other = tmp.write("other.yaml",
                               "experiment: t\nseed: 1\nthreads: 1\nlog_level: warning\n"
                               "model: {name: digitizer_unet, widths: [8, 16]}\n"
                               "loss: {terms: [{name: mse, mask_nan: true}]}\n"
                               "data: {name: synth_pages, preset: clean, width: 128, height: 96}\n"
                               "optimizer: {name: adamw, lr: 0.001}\n"
                               "trainer: {max_steps: 1, batch_size: 1, val_every: 0, workers: 0, plots: 0}\n");
  r = run_cli({"train", "--config", other.string(), "run_dir=" + (tmp / "other").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  r = run_cli({"digitize", (tmp / "in").string(), "--out", (tmp / "out2").string(), "--reader",
               (tmp / "other/checkpoints/step_00000001.pt").string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("step_00000001.pt: the model is 'digitizer_unet', not a trace_reader"), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace ecg::digitize
