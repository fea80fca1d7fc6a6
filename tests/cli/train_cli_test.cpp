// `ecgtorch train` / `eval` as a user runs them: SIGKILL + --resume, SIGTERM, --nproc.

#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

#include "cli/cli_util.h"
#include "core/atomic_file.h"
#include "core/yaml_io.h"
#include "train/checkpoint.h"
#include "train/metrics_log.h"
#include "train/registries.h"

namespace ecg {
namespace {

namespace fs = std::filesystem;
using testing::run_cli;
using testing::spawn_cli;
using testing::wait_status;

// Waits until `path` exists or the process `pid` has exited; true when the file exists.
bool wait_for_file(const fs::path& path, pid_t pid, double timeout_s = 60) {
  const auto t0 = std::chrono::steady_clock::now();
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < timeout_s) {
    if (fs::exists(path)) return true;
    if (::waitpid(pid, nullptr, WNOHANG) == pid) return fs::exists(path);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

std::vector<torch::Tensor> checkpoint_tensors(const fs::path& ckpt, const std::string& model_yaml) {
  const auto regs = train::make_builtin_registries();
  auto model = regs->models.create(config::parse_yaml(model_yaml, "model"), "model");
  train::load_checkpoint(ckpt, train::CheckpointParts{nullptr, model.get(), nullptr, nullptr, false});
  std::vector<torch::Tensor> out;
  for (const auto& p : model->parameters()) out.push_back(p.detach().clone());
  for (const auto& b : model->buffers()) out.push_back(b.detach().clone());
  return out;
}

constexpr const char* kResnetModel = "{name: resnet1d, leads: 12, num_classes: 14, widths: [32, 32], dropout: 0.3}";

fs::path write_job(const testing::TempDir& dir, const std::string& trainer, const std::string& model,
                   const std::string& extra = "") {
  return dir.write("job.yaml", "experiment: t\nseed: 3\nthreads: 1\nlog_level: warning\n" + std::string("model: ") +
                                   model +
                                   "\nloss: {terms: [{name: bce}]}\n"
                                   "data: {name: synth, fs_hz: 250, duration_s: 2, size: 400}\n"
                                   "optimizer: {name: adamw, lr: 0.001}\n"
                                   "scheduler: {name: warmup_cosine, warmup_steps: 10, total_steps: 120}\n"
                                   "trainer: " +
                                   trainer + "\n" + extra);
}

TEST(CliTrain, ResumeAfterSigkillMidEpochEndsWithIdenticalWeights) {
  testing::TempDir dir;
  const auto job = write_job(dir,
                             "{max_steps: 120, batch_size: 8, val_every: 0, checkpoint_every: 10, keep_last: 20, "
                             "log_every: 5, workers: 1, ema_decay: 0.9}",
                             kResnetModel);
  // The uninterrupted run.
  auto r = run_cli({"train", "--config", job.string(), "run_dir=" + (dir / "full").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  // The killed run: SIGKILL once step 70 (mid-epoch 1 of 50-step epochs) is on disk.
  const fs::path killed = dir / "killed";
  const pid_t pid =
      spawn_cli({"train", "--config", job.string(), "run_dir=" + killed.string()}, dir / "k.out", dir / "k.err");
  ASSERT_TRUE(wait_for_file(killed / "checkpoints" / "step_00000070.pt", pid)) << read_file(dir / "k.err");
  ::kill(pid, SIGKILL);
  EXPECT_EQ(wait_status(pid), 128 + SIGKILL);
  ASSERT_FALSE(fs::exists(killed / "checkpoints" / "step_00000120.pt")) << "the run ended before it was killed";
  const int64_t resumed_from =
      train::read_checkpoint_meta(train::list_step_checkpoints(killed / "checkpoints").back())["step"];
  EXPECT_GE(resumed_from, 70);
  EXPECT_LT(resumed_from, 120);

  r = run_cli({"train", "--resume", killed.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto a = checkpoint_tensors(dir / "full" / "checkpoints" / "step_00000120.pt", kResnetModel);
  const auto b = checkpoint_tensors(killed / "checkpoints" / "step_00000120.pt", kResnetModel);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "tensor " << i;

  // The logs agree row for row (each step once) on the training loss.
  const auto ra = train::read_metrics_jsonl(dir / "full" / "metrics.jsonl");
  const auto rb = train::read_metrics_jsonl(killed / "metrics.jsonl");
  ASSERT_EQ(ra.size(), 24u);
  ASSERT_EQ(rb.size(), ra.size());
  for (size_t i = 0; i < ra.size(); ++i) {
    EXPECT_EQ(ra[i]["step"], rb[i]["step"]);
    EXPECT_EQ(ra[i]["loss"].get<double>(), rb[i]["loss"].get<double>()) << "row " << i;
  }
}

TEST(CliTrain, SigtermSavesACheckpointAndExits143) {
  testing::TempDir dir;
  const auto job = write_job(dir, "{max_steps: 100000, batch_size: 8, val_every: 0, checkpoint_every: 5, log_every: 5}",
                             kResnetModel);
  const fs::path run = dir / "run";
  const pid_t pid = spawn_cli({"train", "--config", job.string(), "run_dir=" + run.string()}, dir / "out", dir / "err");
  ASSERT_TRUE(wait_for_file(run / "checkpoints" / "step_00000010.pt", pid)) << read_file(dir / "err");
  ::kill(pid, SIGTERM);
  EXPECT_EQ(wait_status(pid), 143) << read_file(dir / "err");
  const std::string out = read_file(dir / "out");
  EXPECT_NE(out.find("stopped by SIGTERM; continue with: ecgtorch train --resume " + run.string()), std::string::npos)
      << out;
  const auto last = train::list_step_checkpoints(run / "checkpoints").back();
  const auto meta = train::read_checkpoint_meta(last);
  const int64_t step = meta["step"];
  EXPECT_GE(step, 10);
  EXPECT_EQ(last.filename().string(), train::step_checkpoint_name(step));
  // It resumes from there, with a new step budget given as an override.
  const auto r = run_cli({"train", "--resume", run.string(), "trainer.max_steps=" + std::to_string(step + 5)});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::exists(run / "checkpoints" / train::step_checkpoint_name(step + 5)));
}

TEST(CliTrain, TwoProcessesMatchOneProcessWithTheDoubledBatch) {
  testing::TempDir dir;
  const std::string model = "{name: signal_cnn1d, leads: 12, num_classes: 14, dropout: 0.0, norm: group}";
  const auto job = dir.write("job.yaml", "experiment: t\nseed: 5\nthreads: 1\nlog_level: warning\nmodel: " + model +
                                             "\nloss: {terms: [{name: bce}]}\n"
                                             "data: {name: synth, fs_hz: 100, duration_s: 2, size: 64}\n"
                                             "optimizer: {name: sgd, lr: 0.5, momentum: 0.9}\n"
                                             "trainer: {max_steps: 12, val_every: 0, log_every: 4, workers: 0}\n");
  auto r = run_cli({"train", "--config", job.string(), "run_dir=" + (dir / "one").string(), "trainer.batch_size=8"});
  ASSERT_EQ(r.status, 0) << r.err;
  r = run_cli(
      {"train", "--nproc", "2", "--config", job.string(), "run_dir=" + (dir / "two").string(), "trainer.batch_size=4"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("run:             " + (dir / "two").string()), std::string::npos) << r.out;
  const auto a = checkpoint_tensors(dir / "one" / "checkpoints" / "step_00000012.pt", model);
  const auto b = checkpoint_tensors(dir / "two" / "checkpoints" / "step_00000012.pt", model);
  ASSERT_EQ(a.size(), b.size());
  double max_diff = 0;
  for (size_t i = 0; i < a.size(); ++i) max_diff = std::max(max_diff, (a[i] - b[i]).abs().max().item<double>());
  EXPECT_LT(max_diff, 1e-4);
  // Training did move the weights: the loss fell.
  const auto rows = train::read_metrics_jsonl(dir / "two" / "metrics.jsonl");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_LT(rows[2]["loss"].get<double>(), rows[0]["loss"].get<double>());
  const auto rows1 = train::read_metrics_jsonl(dir / "one" / "metrics.jsonl");
  EXPECT_NEAR(rows[0]["loss"].get<double>(), rows1[0]["loss"].get<double>(), 1e-5);
}

TEST(CliTrain, EvalPrintsTheBestCheckpointsMetricsAsJson) {
  testing::TempDir dir;
  const auto job =
      write_job(dir, "{max_steps: 20, batch_size: 8, val_every: 10, val_batches: 2, log_every: 10}", kResnetModel,
                "val_data: {name: synth, fs_hz: 250, duration_s: 2, seed: 9}\n"
                "metrics: [{name: macro_auroc}]\n");
  auto r = run_cli({"train", "--config", job.string(), "run_dir=" + (dir / "run").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  r = run_cli({"eval", "--checkpoint", (dir / "run" / "checkpoints" / "best.pt").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["examples"], 16);
  EXPECT_EQ(j["weights"], "model");
  const auto meta = train::read_checkpoint_meta(dir / "run" / "checkpoints" / "best.pt");
  EXPECT_DOUBLE_EQ(j["metrics"]["val/loss"].get<double>(), meta["metrics"]["val/loss"].get<double>());
  EXPECT_DOUBLE_EQ(j["metrics"]["val/macro_auroc"].get<double>(), meta["metrics"]["val/macro_auroc"].get<double>());
  // --per-example: every example's metrics by id, and the totals untouched by them.
  r = run_cli({"eval", "--checkpoint", (dir / "run" / "checkpoints" / "best.pt").string(), "--per-example"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto k = nlohmann::json::parse(r.out);
  ASSERT_EQ(k["per_example"].size(), 16u);
  EXPECT_EQ(k["per_example"][3]["id"], "3");
  EXPECT_TRUE(k["per_example"][3]["metrics"].contains("macro_auroc"));
  EXPECT_DOUBLE_EQ(k["metrics"]["val/macro_auroc"].get<double>(), j["metrics"]["val/macro_auroc"].get<double>());
  EXPECT_FALSE(k.contains("plots"));
}

TEST(CliTrain, UsageAndConfigErrors) {
  auto r = run_cli({"train"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("train: give exactly one of --config FILE and --resume RUN_DIR"), std::string::npos) << r.err;
  testing::TempDir dir;
  r = run_cli({"train", "--resume", dir.path().string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find(": not a run directory (no config.yaml)"), std::string::npos) << r.err;
  const auto job = write_job(dir, "{max_steps: 5, batch_size: 8, best_mode: maybe}", kResnetModel);
  r = run_cli({"train", "--config", job.string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("trainer.best_mode"), std::string::npos) << r.err;
  r = run_cli({"eval", "--checkpoint", (dir / "none.pt").string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("none.pt: no such checkpoint file"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ecg
