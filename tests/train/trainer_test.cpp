// The training loop in-process: run directory, logs, best checkpoint, guards, early
// stopping, gradient accumulation and evaluation.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include "core/atomic_file.h"
#include "core/yaml_io.h"
#include "tb_reader.h"
#include "test_util.h"
#include "train/checkpoint.h"
#include "train/metrics_log.h"
#include "train/registries.h"
#include "train/trainer.h"
#include "train/trainer_options.h"

namespace ecg::train {
namespace {

namespace fs = std::filesystem;

config::ConfigNode job(const std::unique_ptr<Registries>& regs, const std::string& yaml, const fs::path& run_dir) {
  config::ConfigNode cfg = config::parse_yaml(yaml, "job.yaml");
  cfg.set("run_dir", config::ConfigNode::scalar(run_dir.string(), true));
  const config::Schema schema = job_schema(*regs);
  schema.normalize(cfg, "");
  return cfg;
}

const std::string kClassify =
    "seed: 1\nthreads: 1\nlog_level: error\n"
    "model: {name: signal_cnn1d, leads: 12, num_classes: 14, dropout: 0.0, norm: group}\n"
    "loss: {terms: [{name: bce}]}\n"
    "data: {name: synth, fs_hz: 100, duration_s: 2, size: 64}\n"
    "val_data: {name: synth, fs_hz: 100, duration_s: 2, size: 24, seed: 4}\n"
    "metrics: [{name: macro_auroc}]\n"
    "optimizer: {name: adam, lr: 0.01}\n";

TEST(Trainer, WritesTheRunLogsTensorBoardAndTheBestCheckpoint) {
  testing::TempDir dir;
  auto regs = make_builtin_registries();
  TrainRequest req;
  req.config = job(regs,
                   kClassify +
                       "trainer: {max_steps: 24, batch_size: 8, val_every: 8, log_every: 4, workers: 2, "
                       "best_metric: val/macro_auroc, best_mode: max, keep_last: 2}\n",
                   dir / "run");
  const TrainResult r = train(req, *regs, nullptr);
  EXPECT_EQ(r.run_dir, dir / "run");
  EXPECT_EQ(r.steps, 24);
  EXPECT_EQ(r.stop_reason, "max_steps");
  for (const char* f : {"config.yaml", "command.txt", "env.json", "log.txt", "metrics.jsonl", "metrics.csv"}) {
    EXPECT_TRUE(fs::exists(dir / "run" / f)) << f;
  }
  // keep_last 2 of the step checkpoints at 8, 16, 24; best.pt besides.
  const auto steps = list_step_checkpoints(dir / "run" / "checkpoints");
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].filename(), "step_00000016.pt");
  EXPECT_EQ(steps[1].filename(), "step_00000024.pt");
  const auto rows = read_metrics_jsonl(dir / "run" / "metrics.jsonl");
  ASSERT_EQ(rows.size(), 6u + 3u);  // 6 training rows, 3 validations
  double best = -1;
  int64_t best_step = -1;
  for (const auto& row : rows) {
    if (row["split"] != "val") continue;
    EXPECT_TRUE(row.contains("val/loss"));
    if (row["val/macro_auroc"].get<double>() > best) {
      best = row["val/macro_auroc"];
      best_step = row["step"];
    }
  }
  EXPECT_DOUBLE_EQ(r.best_value, best);
  const auto meta = read_checkpoint_meta(r.best_checkpoint);
  EXPECT_EQ(meta["step"], best_step);
  EXPECT_EQ(meta["model"], "signal_cnn1d");
  EXPECT_EQ(meta["version"], kCheckpointVersion);
  EXPECT_TRUE(meta["config"].get<std::string>().find("signal_cnn1d") != std::string::npos);
  EXPECT_EQ(meta["git_sha"].get<std::string>().size() > 0, true);
  const std::string csv = read_file(dir / "run" / "metrics.csv");
  EXPECT_EQ(csv.rfind("step,epoch,split,time_s,", 0), 0u) << csv.substr(0, 80);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 10);
  // One TensorBoard event file with the training and validation scalars.
  ASSERT_TRUE(fs::is_directory(dir / "run" / "tb"));
  const auto tb = fs::directory_iterator(dir / "run" / "tb")->path();
  const std::string events = read_file(tb);
  EXPECT_NE(events.find("brain.Event:2"), std::string::npos);
  EXPECT_NE(events.find("train/loss"), std::string::npos);
  EXPECT_NE(events.find("val/macro_auroc"), std::string::npos);
  // evaluate() on best.pt reproduces that validation exactly.
  const auto e = evaluate(r.best_checkpoint, {}, *regs);
  EXPECT_DOUBLE_EQ(e["metrics"]["val/macro_auroc"].get<double>(), best);
  EXPECT_EQ(e["examples"], 24);
}

// What the trainer writes to TensorBoard, read back by the independent reader: every
// scalar of metrics.jsonl at its step (as float32), and the validation plots as PNG images.
TEST(Trainer, TensorBoardHoldsTheLoggedScalarsAndThePlotsAsAnIndependentReaderSeesThem) {
  if (const auto why = testing::tb_reader_missing()) GTEST_SKIP() << "TensorBoard reader not available: " << *why;
  testing::TempDir dir;
  auto regs = make_builtin_registries();
  TrainRequest req;
  req.config =
      job(regs,
          "seed: 1\nthreads: 1\nlog_level: error\n"
          "model: {name: digitizer_unet, widths: [8, 16]}\n"
          "loss: {terms: [{name: mse, mask_nan: true}]}\n"
          "data: {name: synth_pages, preset: clean, seed: 0, width: 128, height: 96}\n"
          "val_data: {name: synth_pages, preset: clean, seed: 9, width: 128, height: 96}\n"
          "metrics: [{name: snr_kaggle, fs_hz: 51.2}, {name: snr_challenge2024}, {name: mae_uv}]\n"
          "optimizer: {name: adamw, lr: 0.001}\n"
          "trainer: {max_steps: 4, batch_size: 2, val_every: 2, val_batches: 1, log_every: 2, workers: 0, plots: 2}\n",
          dir / "run");
  train(req, *regs, nullptr);
  const auto file = fs::directory_iterator(dir / "run" / "tb")->path();
  const auto r = testing::tb_read(file);
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_FALSE(r.events.empty());
  EXPECT_EQ(r.events[0]["file_version"], "brain.Event:2");
  std::map<std::pair<int64_t, std::string>, double> scalars;
  std::map<int64_t, int> images_at_step;
  for (const auto& e : r.events) {
    if (!e.contains("values")) continue;
    for (const auto& v : e["values"]) {
      if (v.contains("simple_value")) scalars[{e["step"].get<int64_t>(), v["tag"]}] = v["simple_value"];
      if (v.contains("image")) {
        EXPECT_EQ(v["image"]["png"], true) << v;
        EXPECT_EQ(v["image"]["png_width"], v["image"]["width"]) << v;
        EXPECT_EQ(v["image"]["png_height"], v["image"]["height"]) << v;
        EXPECT_EQ(v["image"]["colorspace"], 3) << v;
        EXPECT_EQ(v["tag"].get<std::string>().rfind("val/prediction_", 0), 0u) << v;
        ++images_at_step[e["step"].get<int64_t>()];
      }
    }
  }
  EXPECT_EQ(images_at_step, (std::map<int64_t, int>{{2, 2}, {4, 2}}));
  int checked = 0;
  for (const auto& row : read_metrics_jsonl(dir / "run" / "metrics.jsonl")) {
    const int64_t step = row["step"];
    for (const auto& [key, value] : row.items()) {
      const bool logged = row["split"] == "val"
                              ? key.rfind("val/", 0) == 0
                              : key == "loss" || key == "lr" || key == "steps_per_s" || key == "data_wait_share";
      if (!logged) continue;
      const std::string tag = row["split"] == "val" ? key : "train/" + key;
      const auto it = scalars.find({step, tag});
      ASSERT_NE(it, scalars.end()) << tag << " at step " << step;
      EXPECT_EQ(it->second, static_cast<double>(static_cast<float>(value.get<double>()))) << tag;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 2 * 4 + 2 * 4);  // 4 training scalars and 4 validation ones, at steps 2 and 4
}

class NanDataset : public data::Dataset {
 public:
  std::optional<int64_t> size() const override { return 32; }
  data::Example get(int64_t i) const override {
    auto x = torch::full({12, 50}, std::nan(""));
    return {x, torch::tensor(i % 3, torch::kInt64), {}};
  }
};

std::unique_ptr<Registries> regs_with_nan_data() {
  auto regs = make_builtin_registries();
  regs->datasets.add("nan_data", "every input is NaN", std::make_shared<config::Schema>("dataset 'nan_data'"),
                     [](const config::ConfigNode&, const std::string&) { return std::make_shared<NanDataset>(); });
  return regs;
}

const std::string kNanJob =
    "threads: 1\nlog_level: warning\n"
    "model: {name: signal_cnn1d, leads: 12, num_classes: 3, dropout: 0.0}\n"
    "loss: {terms: [{name: cross_entropy}]}\n"
    "data: {name: nan_data}\n"
    "optimizer: {name: sgd, lr: 0.1}\n";

TEST(Trainer, ANonFiniteLossStopsTheRunNamingTheStep) {
  testing::TempDir dir;
  auto regs = regs_with_nan_data();
  TrainRequest req;
  req.config = job(regs, kNanJob + "trainer: {max_steps: 4, batch_size: 8, val_every: 0}\n", dir / "run");
  EXPECT_ERROR_HAS(train(req, *regs, nullptr),
                   "the loss is NaN or Inf at step 0 (epoch 0); set trainer.skip_nonfinite=true to skip such batches");
}

TEST(Trainer, SkipNonfiniteSkipsTheBatchesAndLeavesTheWeights) {
  testing::TempDir dir;
  auto regs = regs_with_nan_data();
  TrainRequest req;
  req.config =
      job(regs, kNanJob + "trainer: {max_steps: 4, batch_size: 8, val_every: 0, skip_nonfinite: true}\n", dir / "run");
  const TrainResult r = train(req, *regs, nullptr);
  EXPECT_EQ(r.steps, 4);
  const std::string log = read_file(dir / "run" / "log.txt");
  EXPECT_NE(log.find("step 3: non-finite loss, batch skipped (4 so far)"), std::string::npos) << log;
}

TEST(Trainer, EarlyStoppingStopsAfterPatienceValidationsWithoutImprovement) {
  testing::TempDir dir;
  auto regs = make_builtin_registries();
  TrainRequest req;
  // best_mode max on val/loss: it does not rise, so only the first validation is "best".
  req.config = job(regs,
                   kClassify +
                       "trainer: {max_steps: 100, batch_size: 8, val_every: 2, early_stop_patience: 2, "
                       "best_metric: val/loss, best_mode: max}\n",
                   dir / "run");
  const TrainResult r = train(req, *regs, nullptr);
  EXPECT_EQ(r.stop_reason, "early_stop");
  EXPECT_LE(r.steps, 100);
  EXPECT_EQ(r.steps % 2, 0);
  EXPECT_GE(r.steps, 6);
}

TEST(Trainer, AccumulatingTwoHalfBatchesEqualsOneFullBatch) {
  auto regs = make_builtin_registries();
  auto weights = [&](const std::string& trainer, const fs::path& run) {
    TrainRequest req;
    req.config = job(regs, kClassify + "trainer: " + trainer + "\n", run);
    train(req, *regs, nullptr);
    auto model = regs->models.create(req.config.at("model"), "model");
    load_checkpoint(run / "checkpoints" / "step_00000006.pt",
                    CheckpointParts{nullptr, model.get(), nullptr, nullptr, false});
    return torch::cat([&] {
      std::vector<torch::Tensor> v;
      for (const auto& p : model->parameters()) v.push_back(p.detach().flatten());
      return v;
    }());
  };
  testing::TempDir dir;
  const auto full = weights("{max_steps: 6, batch_size: 8, val_every: 0}", dir / "a");
  const auto accum = weights("{max_steps: 6, batch_size: 4, accumulate: 2, val_every: 0}", dir / "b");
  EXPECT_LT((full - accum).abs().max().item<double>(), 1e-5);
}

TEST(Trainer, LrMultipliersAreCheckedAgainstTheModel) {
  testing::TempDir dir;
  auto regs = make_builtin_registries();
  TrainRequest req;
  req.config = job(regs, kClassify + "trainer: {max_steps: 2, lr_multipliers: ['encoder.=0.1']}\n", dir / "run");
  EXPECT_ERROR_HAS(train(req, *regs, nullptr), "trainer.lr_multipliers: prefix 'encoder.' matches no parameter");
  EXPECT_ERROR_HAS(parse_lr_multipliers({"features=x"}),
                   "trainer.lr_multipliers.0: expected 'prefix=factor' with factor >= 0, got 'features=x'");
  const auto m = parse_lr_multipliers({"features.=0.1", "head=2"});
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].first, "features.");
  EXPECT_DOUBLE_EQ(m[1].second, 2.0);
}

TEST(Trainer, ABestMetricThatValidationDoesNotComputeIsAnError) {
  testing::TempDir dir;
  auto regs = make_builtin_registries();
  TrainRequest req;
  req.config =
      job(regs, kClassify + "trainer: {max_steps: 2, val_every: 1, best_metric: val/snr_kaggle_db}\n", dir / "run");
  EXPECT_ERROR_HAS(train(req, *regs, nullptr),
                   "trainer.best_metric: 'val/snr_kaggle_db' is not computed by validation (known: ");
}

}  // namespace
}  // namespace ecg::train
