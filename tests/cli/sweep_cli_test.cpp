// `ecgtorch sweep` end to end on the toy task: parallel trials, ASHA, failures,
// SIGKILL + --resume, Ctrl-C, dry runs, usage errors.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "core/atomic_file.h"
#include "core/strings.h"
#include "test_util.h"

namespace fs = std::filesystem;
using ecg::testing::run_cli;
using ecg::testing::TempDir;

namespace {

std::string toy_config() {
  return (ecg::testing::env_path("ECGTORCH_SOURCE_DIR") / "configs/toy.yaml").string();
}

nlohmann::json state_of(const fs::path& dir) {
  return nlohmann::json::parse(ecg::read_file(dir / "sweep.json"));
}

int count_status(const nlohmann::json& s, const std::string& status) {
  int n = 0;
  for (const auto& t : s["trials"]) n += t["status"] == status;
  return n;
}

/// Waits until `pred` holds (polling), up to `seconds`.
bool wait_for(const std::function<bool()>& pred, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace

TEST(SweepCli, ParallelTrialsWithAshaRankAndWriteTheBestConfig) {
  TempDir d;
  const auto r = run_cli({"sweep",
                          "--config",
                          toy_config(),
                          "--param",
                          "toy.x=uniform(-2,2)",
                          "--param",
                          "toy.y=uniform(-2,2)",
                          "--sampler",
                          "random",
                          "--trials",
                          "8",
                          "--parallel",
                          "3",
                          "--seed",
                          "1",
                          "--prune",
                          "asha",
                          "--dir",
                          (d / "sw").string(),
                          "toy.step_ms=5"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto s = state_of(d / "sw");
  EXPECT_EQ(s["trials"].size(), 8u);
  EXPECT_EQ(count_status(s, "completed") + count_status(s, "pruned"), 8);
  EXPECT_GE(count_status(s, "pruned"), 1);     // ASHA stopped some
  EXPECT_EQ(s["spec"]["metric"], "val/toy");   // from trainer.best_metric
  EXPECT_EQ(s["spec"]["asha_min_steps"], 10);  // from trainer.val_every
  for (const auto& t : s["trials"]) {
    if (t["status"] == "pruned") {
      EXPECT_LT(t["curve"].back()[0].get<int>(), 60);  // stopped early
    }
  }
  const std::string csv = ecg::read_file(d / "sw/results.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "rank,trial,status,value,step,toy.x,toy.y,run_dir");
  const std::string best_row = csv.substr(csv.find('\n') + 1);
  EXPECT_EQ(best_row.rfind("1,", 0), 0u);
  EXPECT_NE(best_row.find(",completed,"), std::string::npos) << csv;
  const std::string best = ecg::read_file(d / "sw/best_config.yaml");
  EXPECT_NE(best.find("# Best trial of the sweep"), std::string::npos);
  EXPECT_NE(best.find("run_dir: ~"), std::string::npos) << best;
  EXPECT_NE(r.out.find("8/8 trials:"), std::string::npos) << r.out;
  const auto st = run_cli({"sweep", "--status", (d / "sw").string()});
  EXPECT_EQ(st.status, 0);
  EXPECT_NE(st.out.find("| 1 | "), std::string::npos);
  // The best config trains as it is.
  const auto again =
      run_cli({"train", "--config", (d / "sw/best_config.yaml").string(), "runs_root=" + (d / "runs").string()});
  EXPECT_EQ(again.status, 0) << again.err;
}

TEST(SweepCli, ACrashedTrialIsRecordedAndTheSweepGoesOn) {
  TempDir d;
  const auto r = run_cli({"sweep", "--config", toy_config(), "--param", "toy.noise=choice(0,-1)", "--sampler", "grid",
                          "--dir", (d / "sw").string(), "-q"});
  EXPECT_EQ(r.status, 0) << r.err;
  const auto s = state_of(d / "sw");
  ASSERT_EQ(s["trials"].size(), 2u);
  EXPECT_EQ(s["trials"][0]["status"], "completed");
  EXPECT_EQ(s["trials"][1]["status"], "failed");
  EXPECT_EQ(s["trials"][1]["exit_status"], 1);
  const std::string tail = s["trials"][1]["log_tail"].back();
  EXPECT_NE(tail.find("toy.noise"), std::string::npos) << tail;
  EXPECT_NE(r.out.find("trial 1 failed: "), std::string::npos) << r.out;
}

TEST(SweepCli, SigkillThenResumeFinishesWithoutRerunningFinishedTrials) {
  TempDir d;
  const fs::path dir = d / "sw";
  const std::vector<std::string> args = {"sweep",      "--config", toy_config(),    "--param", "toy.x=uniform(-2,2)",
                                         "--sampler",  "tpe",      "--trials",      "4",       "--dir",
                                         dir.string(), "-q",       "toy.step_ms=15"};
  const pid_t pid = ecg::testing::spawn_cli(args, d / "out", d / "err");
  ASSERT_TRUE(
      wait_for([&] { return fs::exists(dir / "sweep.json") && count_status(state_of(dir), "completed") >= 2; }, 60));
  ::kill(pid, SIGKILL);
  ecg::testing::wait_status(pid);
  const auto before = state_of(dir);
  std::map<int, std::string> finished_started;
  for (const auto& t : before["trials"]) {
    if (t["status"] == "completed") finished_started[t["id"]] = t["started"];
  }
  const auto r = run_cli({"sweep", "--resume", "--dir", dir.string(), "-q"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto after = state_of(dir);
  EXPECT_EQ(count_status(after, "completed"), 4);
  for (const auto& [id, started] : finished_started) EXPECT_EQ(after["trials"][id]["started"], started);
  // A second --resume has nothing left to do.
  EXPECT_EQ(run_cli({"sweep", "--resume", "--dir", dir.string(), "-q"}).status, 0);
}

TEST(SweepCli, CtrlCStopsTrialsAndResumeCompletes) {
  TempDir d;
  const fs::path dir = d / "sw";
  const pid_t pid = ecg::testing::spawn_cli(
      {"sweep", "--config", toy_config(), "--param", "toy.y=uniform(-1,1)", "--sampler", "random", "--trials", "2",
       "--dir", dir.string(), "-q", "toy.step_ms=50", "trainer.max_steps=20"},
      d / "out", d / "err");
  ASSERT_TRUE(
      wait_for([&] { return fs::exists(dir / "sweep.json") && count_status(state_of(dir), "running") == 1; }, 30));
  ::kill(pid, SIGINT);
  EXPECT_EQ(ecg::testing::wait_status(pid), 130);
  EXPECT_NE(ecg::read_file(d / "err").find("continue with: ecgtorch sweep --resume --dir"), std::string::npos);
  EXPECT_EQ(count_status(state_of(dir), "pending"), 1);
  EXPECT_EQ(run_cli({
                        "sweep",
                        "--resume",
                        "--dir",
                        dir.string(),
                        "-q",
                    })
                .status,
            0);
  EXPECT_EQ(count_status(state_of(dir), "completed"), 2);
}

TEST(SweepCli, DryRunAndUsage) {
  auto r = run_cli({"sweep", "--config", toy_config(), "--param", "toy.x=choice(0,1)", "--param",
                    "optimizer.lr=loguniform(1e-3,1e-1)", "--sampler", "grid", "--grid-points", "3", "--dry-run",
                    "--dir", "/tmp/s"});
  EXPECT_EQ(r.status, 0) << r.err;
  const auto lines = ecg::split(r.out, '\n');
  ASSERT_EQ(lines.size(), 7u);  // 6 trials and the final empty piece
  EXPECT_EQ(lines[0], "ecgtorch train --config " + toy_config() +
                          " toy.x=0 optimizer.lr=0.001 run_dir=/tmp/s/trials/trial_0000/run");
  EXPECT_EQ(lines[5], "ecgtorch train --config " + toy_config() +
                          " toy.x=1 optimizer.lr=0.1 run_dir=/tmp/s/trials/trial_0005/run");
  r = run_cli({"sweep", "--config", toy_config(), "--param", "toy.x=uniform(0,1)", "--dry-run"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("--dry-run needs --sampler grid or random"), std::string::npos) << r.err;
  r = run_cli({"sweep", "--config", toy_config()});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("give a search space with --space FILE or --param PATH=DIST"), std::string::npos) << r.err;
  r = run_cli({"sweep", "--resume"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--resume and --worker need --dir DIR"), std::string::npos) << r.err;
  r = run_cli({"sweep", "--config", toy_config(), "--param", "model.depth=int(1,4)"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("key 'model.depth' does not exist"), std::string::npos) << r.err;
  TempDir d;
  ecg::write_file_atomic(d / "sw/sweep.json", "{}");
  r = run_cli({"sweep", "--config", toy_config(), "--param", "toy.x=uniform(0,1)", "--dir", (d / "sw").string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("exists: continue it with --resume"), std::string::npos) << r.err;
}

TEST(SweepCli, WorkersShareOneSweepDirectory) {
  TempDir d;
  const fs::path dir = d / "sw";
  const pid_t main_pid =
      ecg::testing::spawn_cli({"sweep", "--config", toy_config(), "--param", "toy.x=uniform(-2,2)", "--sampler",
                               "random", "--trials", "6", "--dir", dir.string(), "-q", "toy.step_ms=15"},
                              d / "out1", d / "err1");
  ASSERT_TRUE(wait_for([&] { return fs::exists(dir / "sweep.json"); }, 30));
  const auto worker = run_cli({"sweep", "--worker", "--dir", dir.string(), "-q"});
  EXPECT_EQ(worker.status, 0) << worker.err;
  EXPECT_EQ(ecg::testing::wait_status(main_pid), 0);
  const auto s = state_of(dir);
  EXPECT_EQ(count_status(s, "completed"), 6);
  std::set<std::string> owners;
  for (const auto& t : s["trials"]) owners.insert(t["owner"].get<std::string>());
  EXPECT_EQ(owners.size(), 2u);     // both processes ran trials
  for (int id = 0; id < 6; ++id) {  // each trial ran once: one run directory, one metrics file
    EXPECT_TRUE(fs::exists(dir / "trials" / ("trial_000" + std::to_string(id)) / "run" / "metrics.jsonl"));
  }
}
