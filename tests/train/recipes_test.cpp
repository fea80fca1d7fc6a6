// The shipped recipes that need no real data run end to end, shrunk by overrides: a few
// steps, one validation, their metrics computed.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>

#include "core/config_loader.h"
#include "test_util.h"
#include "train/registries.h"
#include "train/trainer.h"

namespace ecg::train {
namespace {

namespace fs = std::filesystem;

TrainResult run_recipe(const std::string& name, const std::vector<std::string>& overrides, const fs::path& run_dir) {
  const auto configs = testing::env_path("ECGTORCH_SOURCE_DIR") / "configs";
  auto regs = make_builtin_registries();
  const config::Schema schema = job_schema(*regs);
  std::vector<std::string> o = {
      "threads=1",           "log_level=error",       "run_dir=" + run_dir.string(), "trainer.max_steps=3",
      "trainer.val_every=3", "trainer.val_batches=1", "trainer.batch_size=2",        "trainer.workers=0"};
  o.insert(o.end(), overrides.begin(), overrides.end());
  TrainRequest req;
  req.config = config::load_config(config::ConfigRequest{configs / (name + ".yaml"), o, {configs}, {}}, &schema);
  return train(req, *regs, nullptr);
}

// Every experiment's config (experiments/<name>/*.yaml) composes against the shipped
// configs and passes the job schema, so `make experiment` does not rot silently.
TEST(Recipes, ExperimentConfigsComposeAndPassTheSchema) {
  const auto root = testing::env_path("ECGTORCH_SOURCE_DIR");
  auto regs = make_builtin_registries();
  const config::Schema schema = job_schema(*regs);
  int checked = 0;
  for (const auto& dir : fs::directory_iterator(root / "experiments")) {
    if (!dir.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(dir.path())) {
      if (f.path().extension() != ".yaml") continue;
      EXPECT_NO_THROW(config::load_config(config::ConfigRequest{f.path(), {}, {root / "configs"}, {}}, &schema))
          << f.path();
      ++checked;
    }
  }
  EXPECT_GE(checked, 6);
}

TEST(Recipes, KeypointsDetrTrainsAndReportsKeypointDetection) {
  testing::TempDir dir;
  const auto r =
      run_recipe("keypoints_detr", {"model.dim=32", "model.encoder_depth=1", "model.decoder_depth=1"}, dir / "run");
  EXPECT_EQ(r.steps, 3);
  for (const char* k : {"val/loss", "val/kp_recall", "val/kp_precision"}) {
    ASSERT_TRUE(r.last_validation.count(k)) << k;
  }
  EXPECT_TRUE(std::isfinite(r.last_validation.at("val/loss")));
  EXPECT_GE(r.last_validation.at("val/kp_recall"), 0.0);
  EXPECT_TRUE(fs::exists(r.best_checkpoint));
}

TEST(Recipes, MultimodalTrainsOnPagesSignalsAndMetadata) {
  testing::TempDir dir;
  const auto r =
      run_recipe("multimodal", {"model.dim=32", "model.image_depth=1", "model.signal_widths=[8,16]"}, dir / "run");
  EXPECT_EQ(r.steps, 3);
  ASSERT_TRUE(r.last_validation.count("val/macro_auroc"));
  EXPECT_TRUE(std::isfinite(r.last_validation.at("val/loss")));
  EXPECT_TRUE(fs::exists(r.best_checkpoint));
}

}  // namespace
}  // namespace ecg::train
