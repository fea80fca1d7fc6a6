#include "train/registries.h"

#include "losses/weighted_loss.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/config_loader.h"
#include "core/yaml_io.h"
#include "test_util.h"

namespace ecg::train {
namespace {

std::filesystem::path configs_dir() {
  return ecg::testing::env_path("ECGTORCH_SOURCE_DIR") / "configs";
}

TEST(Registries, BuiltinsAreRegisteredExplicitly) {
  const auto r = make_builtin_registries();
  EXPECT_EQ(r->losses.names(),
            (std::vector<std::string>{"asymmetric", "bce", "class_balanced", "cross_entropy", "detr", "focal",
                                      "focal_frequency", "l1", "ldam", "mr_stft", "mse", "pearson", "smooth_l1", "snr",
                                      "spectral", "strip_confidence", "strip_gaussian_ce", "strip_snr"}));
  EXPECT_EQ(r->metrics.names(), (std::vector<std::string>{"accuracy", "ece", "keypoint_detection", "keypoint_error",
                                                          "macro_auroc", "macro_f", "mae_uv", "pearson",
                                                          "snr_challenge2024", "snr_kaggle", "strip_trace"}));
  EXPECT_EQ(r->optimizers.names(), (std::vector<std::string>{"adam", "adamw", "sgd"}));
  EXPECT_EQ(r->schedulers.names(),
            (std::vector<std::string>{"constant", "one_cycle", "plateau", "step", "warmup_cosine"}));
  // Two registries are independent objects: nothing is global.
  const auto other = make_builtin_registries();
  EXPECT_NE(&r->losses, &other->losses);
}

// Every file under configs/<group>/ is a valid component of its kind, and builds.
TEST(Registries, EveryShippedGroupConfigIsValid) {
  const auto r = make_builtin_registries();
  const config::Schema schema = job_schema(*r);
  int checked = 0;
  for (const auto& group : std::filesystem::directory_iterator(configs_dir())) {
    // synth presets (render tests) and sweep search spaces (sweep tests) are not config groups.
    if (!group.is_directory() || group.path().filename() == "synth" || group.path().filename() == "sweep") continue;
    for (const auto& f : std::filesystem::directory_iterator(group.path())) {
      config::ConfigNode job = config::ConfigNode::map();
      job.set(group.path().filename().string(), config::load_yaml_file(f.path()));
      SCOPED_TRACE(f.path().string());
      EXPECT_NO_THROW(schema.normalize(job, ""));
      ++checked;
    }
  }
  EXPECT_GE(checked, 9);
}

TEST(JobSchema, ComposesBaseWithOverridesAndFillsDefaults) {
  ecg::testing::TempDir tmp;
  const auto file = tmp.write("job.yaml", "defaults:\n  - base\n  - loss: mse\n  - _self_\nexperiment: demo\n");
  const auto r = make_builtin_registries();
  const config::Schema schema = job_schema(*r);
  const config::ConfigNode cfg = config::load_config(
      config::ConfigRequest{
          file, {"optimizer=sgd", "optimizer.lr=0.5", "scheduler.total_steps=200", "seed=3"}, {configs_dir()}, {}},
      &schema);
  EXPECT_EQ(cfg.at("experiment").text(), "demo");
  EXPECT_EQ(cfg.at("seed").text(), "3");
  EXPECT_EQ(cfg.at("optimizer").at("name").text(), "sgd");
  EXPECT_EQ(cfg.at("optimizer").at("lr").text(), "0.5");
  EXPECT_EQ(cfg.at("optimizer").at("momentum").text(), "0.9");    // from configs/optimizer/sgd.yaml
  EXPECT_EQ(cfg.at("optimizer").at("nesterov").text(), "false");  // schema default
  EXPECT_EQ(cfg.at("scheduler").at("total_steps").text(), "200");
  EXPECT_EQ(cfg.at("run_dir").kind(), config::ConfigNode::Kind::kNull);

  // The resolved config round-trips through YAML and builds every component.
  const config::ConfigNode again = config::parse_yaml(config::to_yaml(cfg), "again.yaml");
  EXPECT_EQ(again, cfg);
  auto p = torch::zeros({1}, torch::requires_grad());
  EXPECT_NO_THROW(r->optimizers.create(again.at("optimizer"), "optimizer", {torch::optim::OptimizerParamGroup({p})}));
  EXPECT_NO_THROW(r->schedulers.create(again.at("scheduler"), "scheduler"));
  const auto loss = losses::make_loss(again.at("loss"), "loss", r->losses);
  ASSERT_EQ(loss->terms().size(), 1u);
  EXPECT_EQ(loss->terms()[0].name, "mse");
  EXPECT_DOUBLE_EQ(loss->terms()[0].weight, 1.0);
}

TEST(JobSchema, InterpolationsSeeSchemaDefaults) {
  ecg::testing::TempDir tmp;
  const auto r = make_builtin_registries();
  const config::Schema schema = job_schema(*r);
  const auto file = tmp.write("job.yaml",
                              "experiment: e${seed}\nrun_dir: ${runs_root}/${experiment}/${optimizer.lr}\n"
                              "optimizer: {name: sgd}\n");
  const config::ConfigNode cfg = config::load_config(config::ConfigRequest{file, {"seed=4"}, {}, {}}, &schema);
  EXPECT_EQ(cfg.at("run_dir").text(), "runs/e4/0.01");
}

TEST(JobSchema, LossTermsAreOverriddenByIndex) {
  ecg::testing::TempDir tmp;
  const auto r = make_builtin_registries();
  const config::Schema schema = job_schema(*r);
  const auto file = tmp.write("job.yaml", "defaults:\n  - loss: mse_mr_stft\n");
  const config::ConfigNode cfg = config::load_config(
      config::ConfigRequest{
          file, {"loss.terms.1.weight=0.25", "loss.terms.1.fft_sizes=[128,256,512]"}, {configs_dir()}, {}},
      &schema);
  const auto loss = losses::make_loss(cfg.at("loss"), "loss", r->losses);
  ASSERT_EQ(loss->terms().size(), 2u);
  EXPECT_EQ(loss->terms()[1].name, "mr_stft");
  EXPECT_DOUBLE_EQ(loss->terms()[1].weight, 0.25);
  EXPECT_EQ(cfg.at("loss").at("terms").elements()[1].at("hop_sizes").size(), 3u);  // schema default filled in
  EXPECT_ERROR_HAS(
      config::load_config(config::ConfigRequest{file, {"loss.terms.1.wieght=1"}, {configs_dir()}, {}}, &schema),
      "key 'loss.terms.1.wieght' does not exist, did you mean 'weight'?");
  EXPECT_ERROR_HAS(
      config::load_config(config::ConfigRequest{file, {"loss.terms.2.weight=1"}, {configs_dir()}, {}}, &schema),
      "index 2 out of range for 'loss.terms' (2 elements)");
}

TEST(JobSchema, MisspeltKeysFailWithFileLineAndSuggestion) {
  ecg::testing::TempDir tmp;
  const auto r = make_builtin_registries();
  const config::Schema schema = job_schema(*r);
  const auto file = tmp.write("job.yaml", "seed: 1\noptimizer:\n  name: adamw\n  weight_decya: 0.1\n");
  EXPECT_ERROR_HAS(
      config::load_config(config::ConfigRequest{file, {}, {}, {}}, &schema),
      "job.yaml:4:3: optimizer.weight_decya: unknown key for optimizer 'adamw', did you mean 'weight_decay'?");
  const auto top = tmp.write("top.yaml", "sed: 1\n");
  EXPECT_ERROR_HAS(config::load_config(config::ConfigRequest{top, {}, {}, {}}, &schema),
                   "top.yaml:1:1: sed: unknown key for the job config, did you mean 'seed'?");
  const auto good = tmp.write("good.yaml", "optimizer: {name: adamw}\n");
  EXPECT_ERROR_HAS(config::load_config(config::ConfigRequest{good, {"optimizer.weight_decya=1"}, {}, {}}, &schema),
                   "key 'optimizer.weight_decya' does not exist, did you mean 'weight_decay'?");
  const auto model = tmp.write("model.yaml", "model: {name: resnet1dd}\n");
  EXPECT_ERROR_HAS(config::load_config(config::ConfigRequest{model, {}, {}, {}}, &schema),
                   "model.yaml:1:15: model.name: unknown model 'resnet1dd', did you mean 'resnet1d'? (known: "
                   "digitizer_unet, mobilenet_v2, "
                   "multimodal, resnet, resnet1d, signal_cnn1d, trace_reader, vit, vit_detr)");
}

}  // namespace
}  // namespace ecg::train
