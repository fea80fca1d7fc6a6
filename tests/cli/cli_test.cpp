// Runs the ecgtorch binary as a user would, and checks exit codes, stdout and stderr.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <torch/torch.h>
#include "cli/cli_util.h"
#include "core/atomic_file.h"
#include "core/yaml_io.h"
#include "data/annotations.h"
#include "data/kaggle_csv.h"
#include "test_util.h"

namespace ecg {
namespace {

using testing::Result;
using testing::run_cli;

int count_lines(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

TEST(Cli, VersionListsLibrariesAndDevices) {
  const Result r = run_cli({"--version"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("ecgtorch 0.1.0 (git "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("libtorch "), std::string::npos);
  EXPECT_NE(r.out.find("opencv 4."), std::string::npos);
  EXPECT_NE(r.out.find("cuda: "), std::string::npos);
  EXPECT_NE(r.out.find("mps: "), std::string::npos);
}

TEST(Cli, UsageErrorsExitWithTwoAndOneLine) {
  Result r = run_cli({});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("ecgtorch: error: a subcommand is required"), std::string::npos) << r.err;
  r = run_cli({"trian"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "ecgtorch: error: The following argument was not expected: trian (run 'ecgtorch --help')\n");
  r = run_cli({"list", "widgets"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("ecgtorch: error: list: unknown kind 'widgets'"), std::string::npos) << r.err;
  r = run_cli({"config"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--config is required"), std::string::npos) << r.err;
  EXPECT_EQ(count_lines(r.err), 1);
}

TEST(Cli, HelpListsEverySubcommand) {
  const Result r = run_cli({"--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("list"), std::string::npos);
  EXPECT_NE(r.out.find("config"), std::string::npos);
  EXPECT_NE(r.out.find("score"), std::string::npos);
  EXPECT_NE(r.out.find("data"), std::string::npos);
  EXPECT_NE(r.out.find("  train"), std::string::npos);
  EXPECT_NE(r.out.find("  eval"), std::string::npos);
  EXPECT_NE(r.out.find("  sweep"), std::string::npos);
  EXPECT_NE(r.out.find("  export"), std::string::npos);
  EXPECT_NE(r.out.find("  predict"), std::string::npos);
}

TEST(Cli, ListPrintsEachKindWithOptions) {
  Result r = run_cli({"list"});
  EXPECT_EQ(r.status, 0) << r.err;
  for (const char* kind :
       {"models (9):", "losses (18):", "datasets (6):", "optimizers (3):", "schedulers (5):", "metrics (11):"}) {
    EXPECT_NE(r.out.find(kind), std::string::npos) << kind;
  }
  EXPECT_NE(r.out.find("lr=0.001 betas=[0.9, 0.999]"), std::string::npos) << r.out;
  r = run_cli({"list", "optimizer", "--json"});
  EXPECT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  ASSERT_EQ(j["optimizers"].size(), 3u);
  EXPECT_EQ(j["optimizers"][1]["name"], "adamw");
  EXPECT_EQ(j["optimizers"][1]["options"][3]["name"], "weight_decay");
  EXPECT_EQ(j["optimizers"][1]["options"][3]["default"], "0.01");
  r = run_cli({"list", "losses", "-v"});
  EXPECT_NE(r.out.find("reduction: string = \"mean\"  mean | sum over all elements [mean|sum]"), std::string::npos)
      << r.out;
  EXPECT_NE(run_cli({"list", "models"}).out.find("signal_cnn1d"), std::string::npos);
  EXPECT_NE(run_cli({"list", "models"}).out.find("[10789 params]"), std::string::npos);
  // The verbose model listing ends each model with its layer table.
  r = run_cli({"list", "models", "-v"});
  EXPECT_NE(r.out.find("layers of signal_cnn1d:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("head        Linear       weight[5x48] bias[5]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  total 10789 parameters\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  trace_head     Conv2d       weight[12x16x1x1] bias[12]"), std::string::npos);
}

class CliConfig : public ::testing::Test {
 protected:
  ecg::testing::TempDir dir;
};

TEST_F(CliConfig, PrintsTheResolvedConfig) {
  const auto f = dir.write("job.yaml", "defaults:\n  - base\n  - _self_\nexperiment: ${env:EXP,demo}\nthreads: 1\n");
  Result r = run_cli({"config", "--config", f.string(), "--print-config", "optimizer=sgd", "optimizer.lr=0.5"},
                     {"EXP=from_env"});
  ASSERT_EQ(r.status, 0) << r.err;
  const config::ConfigNode cfg = config::parse_yaml(r.out, "stdout");
  EXPECT_EQ(cfg.at("experiment").text(), "from_env");
  EXPECT_EQ(cfg.at("optimizer").at("name").text(), "sgd");
  EXPECT_EQ(cfg.at("optimizer").at("lr").text(), "0.5");
  EXPECT_EQ(cfg.at("optimizer").at("dampening").text(), "0.0");
  EXPECT_EQ(cfg.at("scheduler").at("name").text(), "warmup_cosine");
  EXPECT_EQ(r.err, "");
  r = run_cli({"config", "--config", f.string()});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("OK ", 0), 0u) << r.out;
}

TEST_F(CliConfig, MisspeltKeyFailsWithFileLineAndSuggestion) {
  const auto f = dir.write("job.yaml", "defaults:\n  - base\n  - _self_\noptimizer:\n  lrr: 0.1\n");
  Result r = run_cli({"config", "--config", f.string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "ecgtorch: error: " + f.string() +
                       ":5:3: optimizer.lrr: unknown key for optimizer 'adamw', did you mean 'lr'?\n");
  const auto g = dir.write("ok.yaml", "seed: 1\n");
  r = run_cli({"config", "--config", g.string(), "sede=2"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("<override 1> 'sede=2': key 'sede' does not exist, did you mean 'seed'?"), std::string::npos)
      << r.err;
  r = run_cli({"config", "--config", g.string(), "seed=abc"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("seed: expected int, got 'abc'"), std::string::npos) << r.err;
  r = run_cli({"config", "--config", (dir / "missing.yaml").string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("missing.yaml: config file not found"), std::string::npos) << r.err;
  const auto cyc = dir.write("cyc.yaml", "a: ${b}\nb: ${a}\n");
  r = run_cli({"config", "--config", cyc.string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("interpolation cycle: a -> b -> a"), std::string::npos) << r.err;
  EXPECT_EQ(count_lines(r.err), 1);
}

TEST_F(CliConfig, ConfigDirAndEnvironmentSearchPath) {
  ecg::testing::TempDir extra;
  extra.write("loss/tuned.yaml", "terms:\n  - name: smooth_l1\n    beta: 0.2\n");
  const auto f = dir.write("job.yaml", "defaults:\n  - loss: tuned\n");
  Result r = run_cli({"config", "--config", f.string(), "--print-config"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("unknown option 'tuned' for config group 'loss'"), std::string::npos) << r.err;
  r = run_cli({"config", "--config", f.string(), "--config-dir", extra.path().string(), "--print-config"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("beta: 0.2"), std::string::npos) << r.out;
  r = run_cli({"config", "--config", f.string(), "--print-config"}, {"ECGTORCH_CONFIG_PATH=" + extra.path().string()});
  EXPECT_EQ(r.status, 0) << r.err;
  // `--config-dir` takes one value: the overrides after it are overrides, not more dirs
  // (the sweep writes trial commands in this order).
  r = run_cli({"config", "--config", f.string(), "--config-dir", extra.path().string(), "loss.terms.0.beta=0.7",
               "seed=3", "--print-config"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("beta: 0.7"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("seed: 3"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace ecg

namespace ecg {
namespace {

using testing::Result;
using testing::run_cli;

TEST(CliScore, PrintsScoreRecordsAndLeads) {
  ecg::testing::TempDir truth, pred;
  data::Record r;
  r.id = "7";
  r.leads = {"I", "II"};
  r.signal = torch::tensor({{1.0f, -1.0f, 1.0f, -1.0f, 1.0f, -1.0f, 1.0f, -1.0f, 1.0f, -1.0f},
                            {2.0f, 0.0f, -2.0f, 0.0f, 2.0f, 0.0f, -2.0f, 0.0f, 2.0f, 0.0f}});
  data::write_kaggle_csv(r, truth / "7.csv");
  r.signal[0] = r.signal[0] * 0.5;  // lead I at half amplitude: S = 10, N = 2.5
  data::write_kaggle_csv(r, pred / "7.csv");
  Result res =
      run_cli({"score", "--pred", pred.path().string(), "--truth", truth.path().string(), "--metric", "challenge2024"});
  ASSERT_EQ(res.status, 0) << res.err;
  EXPECT_NE(res.out.find("score: inf dB"), std::string::npos) << res.out;  // lead II is perfect
  EXPECT_NE(res.out.find("  I      6.021"), std::string::npos) << res.out;
  res = run_cli({"score", "--pred", pred.path().string(), "--truth", truth.path().string(), "--json"});
  ASSERT_EQ(res.status, 0) << res.err;
  const auto j = nlohmann::json::parse(res.out);
  EXPECT_EQ(j["metric"], "kaggle");
  // Kaggle: pooled S = 10 + 20, N = 2.5 -> 10 log10(12).
  EXPECT_NEAR(j["score_db"].get<double>(), 10 * std::log10(12.0), 1e-6);
  EXPECT_NEAR(j["records"]["7"].get<double>(), 10 * std::log10(12.0), 1e-6);
}

TEST(CliScore, UsageAndInputErrors) {
  ecg::testing::TempDir dir;
  Result r = run_cli({"score", "--pred", dir.path().string(), "--truth", dir.path().string(), "--metric", "psnr"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "ecgtorch: error: score: --metric must be challenge2024, kaggle or beats, got 'psnr'\n");
  r = run_cli({"score", "--pred", dir.path().string()});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--truth is required"), std::string::npos) << r.err;
  r = run_cli({"score", "--pred", dir.path().string(), "--truth", (dir / "none").string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("none: not a directory"), std::string::npos) << r.err;
  dir.write("t/1.csv", "I,II\n1,2\n3\n");
  r = run_cli({"score", "--pred", dir.path().string(), "--truth", (dir / "t").string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("1.csv:3: expected 2 columns, got 1"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ecg

namespace ecg {
namespace {

TEST(CliData, ShowAndConvert) {
  ECG_REQUIRE_SHARED_DATA("mitdb/100s.hea");
  const auto rec = (ecg::testing::shared_data_dir() / "mitdb/100s").string();
  Result r = run_cli({"data", "show", rec});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("record 100s: 2 leads, 360 Hz, 21600 samples (60 s)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("MLII    mV         21600"), std::string::npos) << r.out;
  r = run_cli({"data", "show", rec, "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["leads"][0]["n"], 21600);
  EXPECT_NEAR(j["leads"][0]["min"].get<double>(), -0.695, 1e-6);
  ecg::testing::TempDir tmp;
  r = run_cli({"data", "convert", rec, "--to", "csv", "--out", (tmp / "x.csv").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "wrote " + (tmp / "x.csv").string() + "\n");
  r = run_cli(
      {"data", "convert", (tmp / "x.csv").string(), "--to", "wfdb", "--out", tmp.path().string(), "--format", "212"});
  ASSERT_EQ(r.status, 0) << r.err;
  r = run_cli({"data", "show", (tmp / "x").string()});
  EXPECT_NE(r.out.find("MLII    mV         21600"), std::string::npos) << r.out;
}

TEST(CliData, Errors) {
  Result r = run_cli({"data"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("A subcommand is required"), std::string::npos) << r.err;
  r = run_cli({"data", "show", "/no/such/rec"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err,
            "ecgtorch: error: /no/such/rec: not a record: no WFDB header /no/such/rec.hea and not a Kaggle .csv\n");
  r = run_cli({"data", "convert", "/no/such/rec", "--to", "edf", "--out", "/tmp"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--to must be csv or wfdb, got 'edf'"), std::string::npos) << r.err;
  r = run_cli({"data", "convert", "/no/such/rec", "--to", "csv", "--out", "/tmp", "--format", "212"});
  EXPECT_EQ(r.status, 2);
}

}  // namespace
}  // namespace ecg

namespace ecg {
namespace {

TEST(CliSynth, SameBytesForAnyThreadCountAndEveryPreset) {
  ecg::testing::TempDir dir;
  for (const char* threads : {"1", "2"}) {
    const Result r = run_cli({"synth", "--generate", "3", "--out", (dir / threads).string(), "--preset", "mixed",
                              "--seed", "9", "--threads", threads, "--scale", "0.25", "--masks", "-q"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("wrote 3 pages to"), std::string::npos) << r.out;
  }
  for (const char* f :
       {"000001_sinus_brady.png", "000001_sinus_brady.json", "000001_sinus_brady-mask.png", "000002_sinus_tachy.csv"}) {
    const std::string name = std::string("synth_") + f;
    ASSERT_TRUE(std::filesystem::exists(dir / "1" / name)) << name;
    EXPECT_EQ(read_file(dir / "1" / name), read_file(dir / "2" / name)) << name;
  }
  const auto j = nlohmann::json::parse(read_file(dir / "1" / "synth_000000_sinus.json"));
  EXPECT_EQ(j["schema"], "ecgtorch.page/1");
  EXPECT_EQ(j["width"], 550);
  EXPECT_EQ(j["leads"].size(), 13u);
  // The plotted signal: lead II has 5000 values (the rhythm strip), aVR only its 2.5 s.
  const auto csv = read_file(dir / "1" / "synth_000002_sinus_tachy.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "I,II,III,aVR,aVL,aVF,V1,V2,V3,V4,V5,V6");
  for (const char* preset : {"clean", "scan", "photo", "screen", "damaged"}) {
    const Result r = run_cli({"synth", "--generate", "1", "--out", (dir / preset).string(), "--preset", preset,
                              "--scale", "0.2", "--format", "jpg", "--signal", "wfdb", "-q"});
    ASSERT_EQ(r.status, 0) << preset << r.err;
    EXPECT_TRUE(std::filesystem::exists(dir / preset / "synth_000000_sinus.jpg")) << preset;
    EXPECT_TRUE(std::filesystem::exists(dir / preset / "synth_000000_sinus.hea")) << preset;
  }
}

TEST(CliSynth, RendersRecordsAndRejectsBadInput) {
  ECG_REQUIRE_SHARED_DATA("ptbxl/records100/00000/00001_lr.hea");
  ecg::testing::TempDir dir;
  Result r = run_cli({"synth", "--records", (ecg::testing::shared_data_dir() / "ptbxl/records100/00000").string(),
                      "--out", dir.path().string(), "--scale", "0.2", "--signal", "none", "page.layout=6x2", "-q"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("wrote 14 pages"), std::string::npos) << r.out;
  const auto j = nlohmann::json::parse(read_file(dir / "000000_00001_lr.json"));
  EXPECT_EQ(j["layout"], "6x2");
  EXPECT_EQ(j["leads"][0]["end_sample"], 500);  // 5 s columns at 100 Hz
  r = run_cli({"synth", "--generate", "1", "--out", dir.path().string(), "--preset", "scna"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("synth: unknown preset 'scna', did you mean 'scan'?"), std::string::npos) << r.err;
  r = run_cli({"synth", "--generate", "1", "--out", dir.path().string(), "page.dpii=300"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("did you mean 'dpi'?"), std::string::npos) << r.err;
  r = run_cli({"synth", "--out", dir.path().string()});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("synth: give --records DIR or --generate N"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ecg

namespace ecg {
namespace {

using testing::Result;
using testing::run_cli;

// detect and score --metric beats through the binary: usage errors exit 2, bad input 1,
// and a hand-made annotation pair scored beat by beat.
TEST(CliDetect, UsageErrorsAndBeatScoring) {
  ecg::testing::TempDir dir;
  Result r = run_cli({"detect", "--model", "m.pt", "--stream"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "ecgtorch: error: detect: --stream needs --fs HZ\n");
  r = run_cli({"detect", "--model", "m.pt", "--input", "x.hea"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "ecgtorch: error: detect: needs --input and --out\n");
  r = run_cli({"detect", "--model", "m.pt", "--input", "x.hea", "--out", "o", "--format", "edf"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "ecgtorch: error: detect: --format takes atr, csv, json; got 'edf'\n");
  // Reference N N V, test N V V (the second N labelled V) at 360 Hz.
  const auto truth = dir / "truth", pred = dir / "pred";
  std::filesystem::create_directories(truth);
  std::filesystem::create_directories(pred);
  dir.write("truth/7.hea", "7 1 360 1000\n7.dat 16 200 16 0 0 0 0 MLII\n");
  using ecg::data::Annotation;
  auto ann = [](int64_t s, const char* sym) {
    Annotation a;
    a.sample = s;
    a.code = ecg::data::annotation_code(sym);
    return a;
  };
  ecg::data::write_mit_annotations({ann(100, "N"), ann(400, "N"), ann(700, "V")}, truth / "7.atr");
  ecg::data::write_mit_annotations({ann(105, "N"), ann(410, "V"), ann(690, "V")}, pred / "7.ecgtorch");
  r = run_cli({"score", "--metric", "beats", "--pred", pred.string(), "--truth", truth.string(), "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_DOUBLE_EQ(j["gross"]["stats"]["v_se"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(j["gross"]["stats"]["v_ppv"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(j["gross"]["stats"]["n_sp"].get<double>(), 50.0);
  EXPECT_EQ(j["gross"]["confusion"]["N"]["V"].get<int64_t>(), 1);
  r = run_cli({"score", "--metric", "beats", "--pred", truth.string(), "--truth", truth.string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("no .ecgtorch annotation files in"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ecg
