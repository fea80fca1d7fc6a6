#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "data/annotations.h"
#include "data/beats.h"
#include "data/dsp.h"
#include "data/record_io.h"
#include "data/wfdb.h"
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

TEST(Detect, AnyRateLeadNameAndGain) {
  // mitdb 100s as another database would store it: 128 Hz (svdb) or 500 Hz (PTB-XL), the
  // model's MLII written as "II" behind a V5, other gains. The beats come out at the
  // record's own rate and match the reference annotations moved to that rate.
  ECG_REQUIRE_SHARED_DATA("mitdb/100s.atr");
  const auto dir = ecg::testing::shared_data_dir() / "mitdb";
  const auto r = data::read_record(dir / "100s.hea");
  std::vector<int64_t> ref360;
  for (const auto& a : data::read_mit_annotations(dir / "100s.atr"))
    if (data::aami_class(a.code) != 0) ref360.push_back(a.sample);
  LinearBeats model;
  const BeatClassifier c(model, "linear");
  ecg::testing::TempDir tmp;
  for (const int64_t fs : {128, 500}) {
    data::Record o;
    o.id = "rate" + std::to_string(fs);
    o.fs_hz = static_cast<double>(fs);
    o.signal = torch::stack({data::resample(r.signal[1], 360, fs), data::resample(r.signal[0], 360, fs)});
    o.leads = {"V5", "II"};
    o.units = {"mV", "mV"};
    data::WfdbWriteOptions w;
    w.gains = {fs == 128 ? 400.0 : 1000.0, fs == 128 ? 400.0 : 1000.0};
    data::write_wfdb(o, tmp.path(), w);
    const auto got = detect_record(tmp / (o.id + ".hea"), c, "");
    EXPECT_EQ(got.lead, "II");
    EXPECT_EQ(got.fs_hz, static_cast<double>(fs));
    std::vector<int64_t> ref, found;
    for (auto s : ref360) ref.push_back(std::llround(static_cast<double>(s) * fs / 360.0));
    for (const auto& b : got.beats) {
      found.push_back(b.sample);
      // time_s keeps the model rate's precision; sample is it at the record's rate.
      EXPECT_EQ(b.sample, std::llround(b.time_s * static_cast<double>(fs)));
    }
    const auto match = data::match_beats(ref, found, std::llround(0.15 * fs));
    const auto matched = std::count_if(match.begin(), match.end(), [](int64_t m) { return m >= 0; });
    EXPECT_GE(matched, static_cast<int64_t>(ref.size()) - 1) << fs << " Hz: of " << ref.size();
    EXPECT_LE(found.size(), ref.size() + 1) << fs << " Hz";
  }
}

TEST(Detect, FollowReadsAFileAsItGrows) {
  // The same samples read at once and from a file another process appends to in pieces
  // that end inside a line (text) or inside a sample (raw int16) give the same rows.
  ECG_REQUIRE_SHARED_DATA("mitdb/100s.hea");
  const auto r = data::read_record(ecg::testing::shared_data_dir() / "mitdb" / "100s.hea");
  const auto x = r.signal[0].slice(0, 0, 360 * 30).contiguous();
  std::string text, raw;
  char buf[32];
  for (int64_t i = 0; i < x.size(0); ++i) {
    const float v = x.data_ptr<float>()[i];
    std::snprintf(buf, sizeof buf, "%.9g\n", static_cast<double>(v));
    text += buf;
    const auto q = static_cast<int16_t>(std::lround(v * 200.0f));
    raw += static_cast<char>(q & 0xff);
    raw += static_cast<char>((q >> 8) & 0xff);
  }
  LinearBeats model;
  const BeatClassifier c(model, "linear");
  StreamOptions o;
  o.fs_hz = r.fs_hz;
  ecg::testing::TempDir tmp;
  for (const bool is_raw : {false, true}) {
    const std::string& bytes = is_raw ? raw : text;
    SampleSourceOptions so;
    so.raw = is_raw;
    std::istringstream whole(bytes);
    SampleSource all(whole, "whole", so);
    std::ostringstream want;
    const auto n = run_stream(all, c, o, "whole", want);
    EXPECT_GT(n, 30);
    const auto path = tmp / (is_raw ? "live.raw" : "live.txt");
    const size_t first = is_raw ? 1001 : 1003;  // odd: inside a sample; mid-line
    std::ofstream(path, std::ios::binary) << bytes.substr(0, first);
    std::thread writer([&] {
      const size_t piece = (bytes.size() - first) / 6 + 1;
      for (size_t at = first; at < bytes.size(); at += piece) {
        std::this_thread::sleep_for(std::chrono::milliseconds(40));
        std::ofstream(path, std::ios::binary | std::ios::app) << bytes.substr(at, piece);
      }
    });
    std::ifstream in(path, std::ios::binary);
    so.follow = true;
    so.idle_s = 0.4;
    SampleSource live(in, path.string(), so);
    std::ostringstream got;
    EXPECT_EQ(run_stream(live, c, o, path.string(), got), n);
    writer.join();
    EXPECT_EQ(got.str(), want.str()) << (is_raw ? "raw" : "text");
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
