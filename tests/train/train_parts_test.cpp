// The trainer's parts: schedulers that react to validation, EMA, gradient scaler,
// autocast, checkpoints, metrics logs, TensorBoard records and the launch environment.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <chrono>
#include <cmath>

#include <opencv2/imgcodecs.hpp>

#include "core/atomic_file.h"
#include "core/yaml_io.h"
#include "data/datasets.h"
#include "losses/classification_losses.h"
#include "losses/register_builtin_losses.h"
#include "losses/weighted_loss.h"
#include "tb_reader.h"
#include "test_util.h"
#include "train/amp.h"
#include "train/checkpoint.h"
#include "train/distributed.h"
#include "train/ema.h"
#include "train/keypoint_plot.h"
#include "train/loss_class_counts.h"
#include "train/lr_scheduler.h"
#include "train/metrics_log.h"
#include "train/tensorboard.h"

namespace ecg::train {
namespace {

namespace fs = std::filesystem;

TEST(KeypointPlot, DrawsTruthCirclesAndPredictedCrossesInTheirClassColours) {
  const auto image = torch::ones({3, 40, 100});  // white
  // One true R (class 2) at (0.5, 0.5); query 0 predicts an R at (0.2, 0.5), query 1 says
  // "no object" (class 5 of 5 + 1) and is not drawn.
  const auto target = torch::tensor({{2.0F, 0.5F, 0.5F}, {-1.0F, 0.0F, 0.0F}});
  const auto pred = torch::tensor(
      {{0.0F, 0.0F, 9.0F, 0.0F, 0.0F, 0.0F, 0.2F, 0.5F}, {0.0F, 0.0F, 0.0F, 0.0F, 0.0F, 9.0F, 0.8F, 0.5F}});
  const cv::Mat m = keypoint_plot(image, target, pred.unsqueeze(0));  // [L = 1, Q, 8]: the last layer
  ASSERT_EQ(m.rows, 40);
  ASSERT_EQ(m.cols, 100);
  const cv::Vec3b red(0, 0, 220), white(255, 255, 255);
  EXPECT_EQ(m.at<cv::Vec3b>(20, 55), red);                                // the circle of radius 5 around (50, 20)
  EXPECT_EQ(m.at<cv::Vec3b>(20, 50), white);                              // its centre stays clear
  EXPECT_EQ(m.at<cv::Vec3b>(20, 20), red);                                // the cross at (20, 20)
  EXPECT_EQ(m.at<cv::Vec3b>(20, 80), white);                              // the no-object query
  EXPECT_TRUE(keypoint_plot(image, torch::zeros({2, 4}), pred).empty());  // not a keypoint target
}

TEST(LrSchedulers, OneCycleMatchesPyTorchsFormula) {
  const OneCycleLr s(OneCycleOptions().total_steps(10).pct_start(0.3).div_factor(25).final_div_factor(1e4));
  EXPECT_NEAR(s.factor(0), 0.04, 1e-15);
  EXPECT_NEAR(s.factor(1), 0.52, 1e-15);
  EXPECT_DOUBLE_EQ(s.factor(2), 1.0);
  EXPECT_NEAR(s.factor(5), 4e-6 + (1 - 4e-6) / 2 * (std::cos(M_PI * 3.0 / 7.0) + 1), 1e-15);
  EXPECT_NEAR(s.factor(9), 4e-6, 1e-18);
  EXPECT_NEAR(s.factor(50), 4e-6, 1e-18);
  EXPECT_ERROR_HAS(OneCycleLr(OneCycleOptions().pct_start(1.0)), "pct_start must be in (0, 1), got 1");
}

TEST(LrSchedulers, PlateauReducesAfterPatienceAndKeepsItsState) {
  PlateauLr p(PlateauOptions().metric("val/loss").mode("min").factor(0.5).patience(1).threshold(1e-4));
  auto see = [&](double v) {
    p.observe({{"val/loss", v}});
    return p.factor(0);
  };
  EXPECT_DOUBLE_EQ(see(1.0), 1.0);
  EXPECT_DOUBLE_EQ(see(0.99995), 1.0);  // within the threshold: not an improvement (1 bad)
  EXPECT_DOUBLE_EQ(see(0.9), 1.0);      // better
  EXPECT_DOUBLE_EQ(see(0.95), 1.0);     // 1 bad
  EXPECT_DOUBLE_EQ(see(0.95), 0.5);     // 2 bad > patience 1: halve
  PlateauLr q(PlateauOptions().metric("val/loss").factor(0.5).patience(1));
  q.load_state(p.state());
  EXPECT_DOUBLE_EQ(q.factor(7), 0.5);
  EXPECT_EQ(q.state(), p.state());
  EXPECT_ERROR_HAS(p.observe({{"val/snr", 1.0}}),
                   "scheduler 'plateau': metric 'val/loss' is not computed by validation (known: val/snr)");
}

TEST(LrSchedulers, RegistryHasAllFive) {
  SchedulerRegistry r("scheduler");
  register_builtin_schedulers(r);
  EXPECT_EQ(r.names(), (std::vector<std::string>{"constant", "one_cycle", "plateau", "step", "warmup_cosine"}));
  const auto s = r.create(config::parse_yaml("name: one_cycle\ntotal_steps: 10", "s.yaml"), "scheduler");
  EXPECT_NEAR(s->factor(0), 0.04, 1e-15);
}

TEST(Ema, ShadowFollowsTheWeightsAndSwapRestoresThem) {
  torch::nn::Linear lin(2, 1);
  {
    torch::NoGradGuard ng;
    lin->weight.fill_(1.0);
    lin->bias.fill_(0.0);
  }
  Ema ema(*lin, 0.5);
  {
    torch::NoGradGuard ng;
    lin->weight.fill_(3.0);
    lin->bias.fill_(2.0);
  }
  ema.update(*lin);  // 0.5 * 1 + 0.5 * 3 = 2; 0.5 * 0 + 0.5 * 2 = 1
  {
    Ema::Swap s(ema, *lin);
    EXPECT_TRUE(torch::allclose(lin->weight, torch::full({1, 2}, 2.0)));
    EXPECT_FLOAT_EQ(lin->bias.item<float>(), 1.0f);
  }
  EXPECT_TRUE(torch::allclose(lin->weight, torch::full({1, 2}, 3.0)));
  EXPECT_ERROR_HAS(Ema(*lin, 1.0), "trainer.ema_decay: must be in (0, 1), got 1");
}

TEST(GradScaler, SkipsInfStepsHalvesTheScaleAndGrowsAfterTheInterval) {
  auto p = torch::ones({2}, torch::requires_grad());
  torch::optim::SGD sgd({p}, torch::optim::SGDOptions(0.1));
  GradScaler scaler(GradScalerOptions{8.0, 2.0, 0.5, 2});
  EXPECT_DOUBLE_EQ(scaler.scale(torch::tensor(3.0)).item<double>(), 24.0);
  p.mutable_grad() = torch::tensor({16.0f, 8.0f});
  EXPECT_TRUE(scaler.unscale(sgd));
  EXPECT_TRUE(torch::equal(p.grad(), torch::tensor({2.0f, 1.0f})));
  scaler.update();
  EXPECT_DOUBLE_EQ(scaler.current_scale(), 8.0);
  p.mutable_grad() = torch::tensor({INFINITY, 1.0f});
  EXPECT_FALSE(scaler.unscale(sgd));
  scaler.update();
  EXPECT_DOUBLE_EQ(scaler.current_scale(), 4.0);
  for (int i = 0; i < 2; ++i) {
    p.mutable_grad() = torch::ones({2});
    EXPECT_TRUE(scaler.unscale(sgd));
    scaler.update();
  }
  EXPECT_DOUBLE_EQ(scaler.current_scale(), 8.0);
  GradScaler other;
  other.load_state(scaler.state());
  EXPECT_DOUBLE_EQ(other.current_scale(), 8.0);
}

TEST(Amp, ResolvesPerDeviceAndAutocastsMatmulsToBf16) {
  const c10::Device cpu(c10::DeviceType::CPU);
  EXPECT_FALSE(resolve_amp("off", cpu).has_value());
  EXPECT_EQ(*resolve_amp("bf16", cpu), c10::ScalarType::BFloat16);
  EXPECT_ERROR_HAS(resolve_amp("fp16", cpu), "trainer.amp: fp16 needs a CUDA device, got cpu (use bf16 on CPU)");
  const auto a = torch::randn({4, 4});
  {
    AutocastGuard g(cpu, c10::ScalarType::BFloat16);
    EXPECT_EQ(torch::mm(a, a).scalar_type(), torch::kBFloat16);
  }
  EXPECT_EQ(torch::mm(a, a).scalar_type(), torch::kFloat32);
  {
    AutocastGuard off(cpu, std::nullopt);
    EXPECT_EQ(torch::mm(a, a).scalar_type(), torch::kFloat32);
  }
}

TEST(Checkpoint, SaveLoadGivesIdenticalOutputsAndStateAndRng) {
  testing::TempDir dir;
  torch::manual_seed(0);
  torch::nn::Sequential net(torch::nn::Linear(3, 4), torch::nn::BatchNorm1d(4), torch::nn::Linear(4, 2));
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(0.01));
  const auto x = torch::randn({5, 3});
  net->forward(x).sum().backward();
  opt.step();
  nlohmann::json meta = {{"step", 7}};
  save_checkpoint(dir / "c.pt", CheckpointParts{&meta, net.get(), &opt, nullptr, true});
  const auto after_save = torch::rand({3});

  torch::manual_seed(123);
  torch::nn::Sequential other(torch::nn::Linear(3, 4), torch::nn::BatchNorm1d(4), torch::nn::Linear(4, 2));
  torch::optim::Adam opt2(other->parameters(), torch::optim::AdamOptions(0.01));
  nlohmann::json got;
  load_checkpoint(dir / "c.pt", CheckpointParts{&got, other.get(), &opt2, nullptr, true});
  EXPECT_EQ(got["step"], 7);
  EXPECT_EQ(got["format"], "ecgtorch-checkpoint");
  EXPECT_TRUE(torch::equal(torch::rand({3}), after_save));  // the generator state came back
  net->eval();
  other->eval();
  EXPECT_TRUE(torch::equal(net->forward(x), other->forward(x)));
  // The optimizer state too: one more identical step gives identical weights.
  net->train();
  other->train();
  opt.zero_grad();
  opt2.zero_grad();
  net->forward(x).sum().backward();
  other->forward(x).sum().backward();
  opt.step();
  opt2.step();
  for (size_t i = 0; i < net->parameters().size(); ++i) {
    EXPECT_TRUE(torch::equal(net->parameters()[i], other->parameters()[i]));
  }

  // Damage gives one clear line naming the file.
  const std::string bytes = read_file(dir / "c.pt");
  write_file_atomic(dir / "cut.pt", bytes.substr(0, bytes.size() / 2));
  EXPECT_ERROR_HAS(read_checkpoint_meta(dir / "cut.pt"), "cut.pt: cannot read the checkpoint (truncated or not a");
  EXPECT_ERROR_HAS(read_checkpoint_meta(dir / "nope.pt"), "nope.pt: no such checkpoint file");
  nlohmann::json future = {{"step", 1}};
  save_checkpoint(dir / "f.pt", CheckpointParts{&future, nullptr, nullptr, nullptr, false});
  EXPECT_EQ(read_checkpoint_meta(dir / "f.pt")["version"], kCheckpointVersion);
  torch::nn::Sequential wrong(torch::nn::Linear(3, 5));
  EXPECT_ERROR_HAS(load_checkpoint(dir / "c.pt", CheckpointParts{nullptr, wrong.get(), nullptr, nullptr, false}),
                   "c.pt: '0.weight' has shape [4, 3] in the checkpoint but [5, 3] in the model");
}

TEST(Checkpoint, StepNamesListingAndPruning) {
  testing::TempDir dir;
  EXPECT_EQ(step_checkpoint_name(100), "step_00000100.pt");
  for (int s : {30, 10, 20}) dir.write("checkpoints/" + step_checkpoint_name(s), "x");
  dir.write("checkpoints/best.pt", "x");
  dir.write("checkpoints/step_00000040.pt.tmp", "x");
  auto all = list_step_checkpoints(dir / "checkpoints");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].filename(), "step_00000010.pt");
  prune_step_checkpoints(dir / "checkpoints", 2);
  all = list_step_checkpoints(dir / "checkpoints");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].filename(), "step_00000020.pt");
  EXPECT_TRUE(fs::exists(dir / "checkpoints" / "best.pt"));
}

TEST(MetricsLog, JsonlAndCsvAndResumeDropsRowsAfterTheCheckpoint) {
  testing::TempDir dir;
  {
    MetricsLog log(dir.path());
    log.append({{"step", 1}, {"split", "train"}, {"loss", 0.5}});
    log.append({{"step", 2}, {"split", "train"}, {"loss", 0.25}});
    log.append({{"step", 2}, {"split", "val"}, {"val/snr", 3.5}});
    log.append({{"step", 3}, {"split", "train"}, {"loss", 0.125}});
    log.flush();
  }
  EXPECT_EQ(read_file(dir / "metrics.csv"),
            "step,split,loss,val/snr\n1,train,0.5,\n2,train,0.25,\n2,val,,3.5\n3,train,0.125,\n");
  EXPECT_ERROR_HAS(MetricsLog(dir.path()), "metrics.jsonl: already exists");
  {
    MetricsLog resumed(dir.path(), 2);
    EXPECT_EQ(resumed.rows().size(), 3u);
    resumed.append({{"step", 3}, {"split", "train"}, {"loss", 0.1}});
  }
  const auto rows = read_metrics_jsonl(dir / "metrics.jsonl");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_DOUBLE_EQ(rows[3]["loss"].get<double>(), 0.1);
  // A partial last line (a kill mid-write) is dropped; damage elsewhere is an error.
  dir.write("m2/metrics.jsonl", "{\"step\": 1}\n{\"step\": 2, \"lo");
  EXPECT_EQ(read_metrics_jsonl(dir / "m2" / "metrics.jsonl").size(), 1u);
  dir.write("m3/metrics.jsonl", "{\"step\": 1}\nnot json\n{\"step\": 3}\n");
  EXPECT_ERROR_HAS(read_metrics_jsonl(dir / "m3" / "metrics.jsonl"), "metrics.jsonl:2: not a JSON object");
}

// Reads TFRecords back, checking both CRCs; returns the payloads.
std::vector<std::string> read_records(const std::string& bytes) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < bytes.size()) {
    uint64_t len = 0;
    uint32_t crc_len = 0, crc_data = 0;
    std::memcpy(&len, bytes.data() + pos, 8);
    std::memcpy(&crc_len, bytes.data() + pos + 8, 4);
    EXPECT_EQ(crc_len, masked_crc32c(std::string_view(bytes.data() + pos, 8)));
    const std::string data = bytes.substr(pos + 12, len);
    std::memcpy(&crc_data, bytes.data() + pos + 12 + len, 4);
    EXPECT_EQ(crc_data, masked_crc32c(data));
    out.push_back(data);
    pos += 16 + len;
  }
  return out;
}

TEST(TensorBoard, Crc32cAndRecordsOfScalarsAndImages) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);  // the CRC-32C check value
  EXPECT_EQ(crc32c(""), 0u);
  testing::TempDir dir;
  fs::path file;
  {
    TensorBoardWriter tb(dir / "tb");
    file = tb.path();
    tb.scalar("train/loss", 0.5, 7);
    tb.image("val/p", "PNGBYTES", 2, 3, 8);
    tb.flush();
  }
  EXPECT_EQ(file.filename().string().rfind("events.out.tfevents.", 0), 0u);
  const auto recs = read_records(read_file(file));
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_NE(recs[0].find("brain.Event:2"), std::string::npos);
  // Event{wall_time (9 bytes), step = 7, summary {value {tag "train/loss", simple_value 0.5f}}}
  const std::string& s = recs[1];
  EXPECT_EQ(static_cast<uint8_t>(s[0]), 0x09u);           // field 1, fixed64
  EXPECT_EQ(s.substr(9, 2), std::string("\x10\x07", 2));  // field 2 varint 7
  float v = 0;
  const auto tag_at = s.find("train/loss");
  ASSERT_NE(tag_at, std::string::npos);
  EXPECT_EQ(static_cast<uint8_t>(s[tag_at + 10]), 0x15u);  // field 2, fixed32
  std::memcpy(&v, s.data() + tag_at + 11, 4);
  EXPECT_FLOAT_EQ(v, 0.5f);
  // Image{height 2, width 3, colorspace 3, encoded "PNGBYTES"}
  EXPECT_NE(recs[2].find(std::string("\x08\x02\x10\x03\x18\x03\x22\x08PNGBYTES", 16)), std::string::npos);
}

TEST(TensorBoard, AnIndependentReaderChecksBothCrcsAndDecodesEveryEvent) {
  if (const auto why = testing::tb_reader_missing()) GTEST_SKIP() << "TensorBoard reader not available: " << *why;
  testing::TempDir dir;
  cv::Mat bgr(6, 10, CV_8UC3, cv::Scalar(10, 200, 30));
  std::vector<uchar> png;
  ASSERT_TRUE(cv::imencode(".png", bgr, png));
  fs::path file;
  const double before_s = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  {
    TensorBoardWriter tb(dir / "tb");
    file = tb.path();
    tb.scalar("train/loss", 0.41, 7);
    tb.image("val/prediction_0", std::string(png.begin(), png.end()), 6, 10, 8);
  }
  const auto r = testing::tb_read(file);
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.events[0]["file_version"], "brain.Event:2");
  EXPECT_GE(r.events[0]["wall_time"].get<double>(), before_s - 1);
  EXPECT_LE(r.events[0]["wall_time"].get<double>(), before_s + 60);
  EXPECT_EQ(r.events[1]["step"], 7);
  ASSERT_EQ(r.events[1]["values"].size(), 1u);
  EXPECT_EQ(r.events[1]["values"][0]["tag"], "train/loss");
  EXPECT_EQ(r.events[1]["values"][0]["simple_value"].get<double>(), static_cast<double>(0.41f));
  EXPECT_EQ(r.events[2]["step"], 8);
  const auto& image = r.events[2]["values"][0]["image"];
  EXPECT_EQ(r.events[2]["values"][0]["tag"], "val/prediction_0");
  EXPECT_EQ(image["height"], 6);
  EXPECT_EQ(image["width"], 10);
  EXPECT_EQ(image["colorspace"], 3);
  EXPECT_EQ(image["png"], true);
  EXPECT_EQ(image["png_width"], 10);
  EXPECT_EQ(image["png_height"], 6);
  EXPECT_EQ(image["bytes"], static_cast<int64_t>(png.size()));

  // The reader checks what our writer computed: one flipped byte in the last record's
  // data, or a cut in its tail, is an error naming the record.
  std::string bytes = read_file(file);
  std::string flipped = bytes;
  flipped[flipped.size() - 10] ^= 0x01;
  write_file_atomic(dir / "flipped", flipped);
  auto bad = testing::tb_read(dir / "flipped");
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find("record 2: Incorrect record CRC32C"), std::string::npos) << bad.err;
  write_file_atomic(dir / "cut", bytes.substr(0, bytes.size() - 3));
  bad = testing::tb_read(dir / "cut");
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find("record 2: Incomplete read"), std::string::npos) << bad.err;
}

TEST(Distributed, EnvironmentOfTorchrunAndSlurm) {
  auto from = [](std::map<std::string, std::string> env) {
    return dist_env_from_environment([env](const std::string& k) -> std::optional<std::string> {
      const auto it = env.find(k);
      return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
    });
  };
  DistEnv e = from({});
  EXPECT_EQ(e.world_size, 1);
  EXPECT_EQ(e.rank, 0);
  e = from(
      {{"RANK", "1"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "1"}, {"MASTER_ADDR", "node7"}, {"MASTER_PORT", "29400"}});
  EXPECT_EQ(e.rank, 1);
  EXPECT_EQ(e.world_size, 4);
  EXPECT_EQ(e.master_addr, "node7");
  EXPECT_EQ(e.master_port, 29400);
  e = from({{"SLURM_PROCID", "3"}, {"SLURM_NTASKS", "8"}, {"SLURM_LOCALID", "3"}});
  EXPECT_EQ(e.rank, 3);
  EXPECT_EQ(e.world_size, 8);
  EXPECT_EQ(e.local_rank, 3);
  EXPECT_ERROR_HAS(from({{"RANK", "2"}, {"WORLD_SIZE", "2"}}),
                   "environment variable RANK: expected an integer in [0, 1], got '2'");
  EXPECT_ERROR_HAS(from({{"MASTER_PORT", "http"}}), "environment variable MASTER_PORT: expected an integer");
  EXPECT_EQ(ProcessGroup::create(from({}), c10::Device(c10::DeviceType::CPU)), nullptr);
}

TEST(LossClassCounts, ClassBalancedTakesTheTrainingDataCounts) {
  struct Counted : data::LabelledDataset {
    std::optional<int64_t> size() const override { return 110; }
    data::Example get(int64_t) const override { return {}; }
    std::vector<std::string> class_names() const override { return {"a", "b"}; }
    std::vector<int64_t> class_counts() const override { return {100, 10}; }
  } counted;
  struct Uncounted : data::LabelledDataset {
    std::optional<int64_t> size() const override { return 1; }
    data::Example get(int64_t) const override { return {}; }
    std::vector<std::string> class_names() const override { return {"a", "b"}; }
  } uncounted;
  const auto loss = config::parse_yaml(
      "terms:\n  - {name: class_balanced, beta: 0.99, base: {name: cross_entropy}}\n"
      "  - {name: class_balanced, samples_per_class: [1, 1], base: {name: cross_entropy}}\n  - {name: mse}\n",
      "l");
  std::vector<int64_t> used;
  const auto filled = with_class_counts(loss, counted, &used);
  EXPECT_EQ(used, (std::vector<int64_t>{100, 10}));
  const auto& terms = filled.at("terms").elements();
  EXPECT_EQ(config::read_int_list(terms[0].at("samples_per_class"), "x"), (std::vector<int64_t>{100, 10}));
  EXPECT_EQ(config::read_int_list(terms[1].at("samples_per_class"), "x"), (std::vector<int64_t>{1, 1}));  // given
  EXPECT_FALSE(terms[2].has("samples_per_class"));
  // The filled loss weighs the classes by effective number, as if the counts were written.
  losses::LossRegistry registry{"loss"};
  losses::register_builtin_losses(registry);
  auto only_first = filled;
  only_first.at("terms").elements().resize(1);
  const auto logits = torch::tensor({{0.0, std::log(3.0)}, {0.0, std::log(3.0)}}, torch::kFloat64);
  const auto target = torch::tensor({0, 1}, torch::kLong);
  const auto w = losses::class_balanced_weights({100, 10}, 0.99);
  EXPECT_NEAR(losses::make_loss(only_first, "loss", registry)->forward(logits, target).item<double>(),
              (w[0] * -std::log(0.25) + w[1] * -std::log(0.75)) / 2, 1e-12);
  // A dataset that cannot count leaves the section as it is, and the loss says what is missing.
  EXPECT_EQ(with_class_counts(loss, uncounted, &used), loss);
  EXPECT_TRUE(used.empty());
  only_first = loss;
  only_first.at("terms").elements().resize(1);
  EXPECT_ERROR_HAS(losses::make_loss(only_first, "loss", registry),
                   "loss.terms.0: class_balanced needs samples_per_class (give them, or train on a dataset");
}

}  // namespace
}  // namespace ecg::train
