#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <sstream>

#include "core/error.h"
#include "data/annotations.h"
#include "data/record_io.h"
#include "export/predictor.h"
#include "monitor/beat_classifier.h"
#include "monitor/detect_job.h"
#include "monitor/ec57.h"
#include "test_util.h"

namespace ecg::monitor {
namespace {

// A fixed linear beat classifier (seeded weights): deterministic labels to compare runs.
class LinearBeats : public exporting::Predictor {
 public:
  LinearBeats() {
    data::BeatWindowSpec s;
    s.fs_hz = 360;
    s.before = 90;
    s.after = 162;
    s.lead = "MLII";
    io_.beat_window = s;
    io_.output_activation = "softmax";
    io_.class_names = {"N", "S", "V", "F", "Q"};
    io_.input_names = {"input"};
    io_.input_shapes = {{1, s.length()}};
    torch::manual_seed(7);
    w_ = torch::randn({s.length(), 5}) * 0.3;
  }
  std::string kind() const override { return "test"; }
  torch::Tensor run(const std::vector<torch::Tensor>& in) override { return in[0].flatten(1).matmul(w_); }

 private:
  torch::Tensor w_;
};

using Beats = std::vector<std::pair<int64_t, int>>;

TEST(Ec57, WorkedExample) {
  // Reference: N@100 N@400 V@700 V@1000 F@1300 S@1600 N@1900; tolerance 54 samples.
  // Test:      N@110 V@390 V@705 (none near 1000) V@1290 N@1650 N@1900 V@2200 (extra).
  const Beats ref = {{100, 0}, {400, 0}, {700, 2}, {1000, 2}, {1300, 3}, {1600, 1}, {1900, 0}};
  const Beats test = {{110, 0}, {390, 2}, {705, 2}, {1290, 2}, {1650, 0}, {1900, 0}, {2200, 2}};
  const auto c = compare_beats(ref, test, 54);
  EXPECT_EQ(c[0][0], 2);  // Nn
  EXPECT_EQ(c[0][2], 1);  // Nv
  EXPECT_EQ(c[2][2], 1);  // Vv
  EXPECT_EQ(c[2][5], 1);  // V missed
  EXPECT_EQ(c[3][2], 1);  // Fv
  EXPECT_EQ(c[1][0], 1);  // Sn
  EXPECT_EQ(c[5][2], 1);  // extra v
  const auto s = ec57_stats(c);
  EXPECT_DOUBLE_EQ(*s.qrs_se, 100.0 * 6 / 7);
  EXPECT_DOUBLE_EQ(*s.qrs_ppv, 100.0 * 6 / 7);
  EXPECT_DOUBLE_EQ(*s.v_se, 50.0);        // 1 of 2 V (one missed)
  EXPECT_DOUBLE_EQ(*s.v_ppv, 100.0 / 3);  // Vv / (Nv + Vv + extra v); Fv not counted
  EXPECT_DOUBLE_EQ(*s.v_fpr, 100.0 / 3);  // Nv / 3 N
  EXPECT_DOUBLE_EQ(*s.n_sp, 200.0 / 3);
  EXPECT_DOUBLE_EQ(*s.s_se, 0.0);
  EXPECT_FALSE(s.s_ppv.has_value());         // no beat labelled S
  EXPECT_DOUBLE_EQ(*s.accuracy, 300.0 / 6);  // Nn, Nn, Vv of 6 matched
}

TEST(Detect, StreamGivesTheOfflineLabels) {
  ECG_REQUIRE_SHARED_DATA("mitdb/100s.hea");
  const auto path = ecg::testing::shared_data_dir() / "mitdb" / "100s.hea";
  LinearBeats model;
  const BeatClassifier c(model, "linear");
  const auto offline = detect_record(path, c, "");
  EXPECT_EQ(offline.lead, "MLII");
  ASSERT_GT(offline.beats.size(), 60u);
  const auto r = data::read_record(path);
  std::ostringstream text;
  char buf[32];
  const auto x = r.signal[0].to(torch::kFloat32).contiguous();
  for (int64_t i = 0; i < x.size(0); ++i) {
    std::snprintf(buf, sizeof buf, "%.9g\n", static_cast<double>(x.data_ptr<float>()[i]));
    text << buf;
  }
  for (double chunk_s : {1.0, 0.05}) {
    std::istringstream in(text.str());
    SampleSource src(in, "stdin", {});
    StreamOptions o;
    o.fs_hz = r.fs_hz;
    o.chunk_s = chunk_s;
    std::ostringstream out;
    EXPECT_EQ(run_stream(src, c, o, "stdin", out), static_cast<int64_t>(offline.beats.size()));
    std::string want = beat_csv_header(c.class_names());
    for (const auto& b : offline.beats) want += beat_csv_row(b);
    EXPECT_EQ(out.str(), want) << chunk_s;
  }
}

TEST(Detect, BadInputNamesWhatIsWrong) {
  LinearBeats model;
  const BeatClassifier c(model, "linear");
  StreamOptions o;
  o.fs_hz = 360;
  auto stream = [&](const std::string& text, SampleSourceOptions so, std::ostringstream* out) {
    std::istringstream in(text);
    SampleSource src(in, "stdin", so);
    run_stream(src, c, o, "stdin", *out);
  };
  std::ostringstream out;
  EXPECT_ERROR_HAS(stream("0.1\n0.2\nabc\n", {}, &out), "stdin line 3: 'abc' is not a number");
  EXPECT_EQ(out.str(), "sample,time_s,class,p_N,p_S,p_V,p_F,p_Q\n");  // the header stays, flushed
  SampleSourceOptions raw;
  raw.raw = true;
  EXPECT_ERROR_HAS(stream(std::string("\x01\x00\x02", 3), raw, &out), "ended inside a sample (byte 3");
  std::string flat;
  for (int i = 0; i < 4000; ++i) flat += "0.5\n";
  EXPECT_ERROR_HAS(stream(flat, {}, &out), "stdin: the signal is flat (peak-to-peak 0.000 mV) over the first 10 s");
  std::string square;
  for (int i = 0; i < 4000; ++i) square += (i / 90) % 2 ? "2.0\n" : "-2.0\n";
  EXPECT_ERROR_HAS(stream(square, {}, &out),
                   "the signal is saturated (100.000 % of the samples at -2.000 or 2.000 mV)");
  ECG_REQUIRE_SHARED_DATA("mitdb/100s.hea");
  EXPECT_ERROR_HAS(detect_record(ecg::testing::shared_data_dir() / "mitdb" / "100s.hea", c, "V1"),
                   "100s.hea: no lead named 'V1' (the record has MLII, V5)");
}

TEST(Detect, RefusesAModelWithoutABeatWindow) {
  struct NoWindow : LinearBeats {
    NoWindow() { io_.beat_window.reset(); }
  } plain;
  EXPECT_ERROR_HAS(BeatClassifier(plain, "m.pt"), "m.pt: not a beat classifier");
}

}  // namespace
}  // namespace ecg::monitor
