#include "core/run_dir.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <regex>

#include "core/atomic_file.h"
#include "core/yaml_io.h"
#include "test_util.h"

namespace ecg {
namespace {

TEST(RunDir, DefaultLayoutAndFiles) {
  ecg::testing::TempDir tmp;
  const RunOptions o =
      RunOptions().experiment("quick").runs_root((tmp / "runs").string()).seed(7).device("cpu").threads(1);
  const RunDir dir = RunDir::create(o, std::chrono::system_clock::now());
  EXPECT_EQ(dir.path().parent_path(), tmp / "runs" / "quick");
  EXPECT_TRUE(std::regex_match(dir.path().filename().string(), std::regex("[0-9]{8}-[0-9]{6}-[0-9a-f]{6}")))
      << dir.path();

  const config::ConfigNode cfg = config::parse_yaml("seed: 7\nmodel: {name: x, width: \"3\"}\n", "c.yaml");
  dir.write_config(cfg);
  EXPECT_EQ(config::load_yaml_file(dir.path() / "config.yaml"), cfg);

  dir.write_command({"ecgtorch", "train", "--config", "a b.yaml", "model.width=3"});
  EXPECT_EQ(read_file(dir.path() / "command.txt"), "ecgtorch train --config 'a b.yaml' model.width=3\n");

  const RunContext ctx = RunContext::create(o, DeviceAvailability{});
  dir.write_env(run_env_json(ctx, build_info()));
  const auto env = nlohmann::json::parse(read_file(dir.path() / "env.json"));
  EXPECT_EQ(env["seed"], 7);
  EXPECT_EQ(env["device"], "cpu");
  EXPECT_EQ(env["threads"], 1);
  EXPECT_TRUE(env.contains("git_sha"));
  EXPECT_TRUE(env.contains("libtorch_version"));
  EXPECT_TRUE(env.contains("host"));
  EXPECT_EQ(dir.log_path(), dir.path() / "log.txt");
}

TEST(RunDir, TwoRunsInTheSameSecondGetDifferentDirectories) {
  ecg::testing::TempDir tmp;
  const RunOptions o = RunOptions().runs_root(tmp.path().string());
  const auto now = std::chrono::system_clock::now();
  EXPECT_NE(RunDir::create(o, now).path(), RunDir::create(o, now).path());
}

TEST(RunDir, ExplicitPathMustBeNewOrEmpty) {
  ecg::testing::TempDir tmp;
  const auto p = tmp / "mine";
  EXPECT_EQ(RunDir::create(RunOptions().run_dir(p.string()), std::chrono::system_clock::now()).path(), p);
  EXPECT_NO_THROW(RunDir::create(RunOptions().run_dir(p.string()), std::chrono::system_clock::now()));  // still empty
  tmp.write("mine/config.yaml", "seed: 1\n");
  EXPECT_ERROR_HAS(RunDir::create(RunOptions().run_dir(p.string()), std::chrono::system_clock::now()),
                   "run directory already exists and is not empty");
  EXPECT_ERROR_HAS(
      RunDir::create(RunOptions().experiment("a/b").runs_root(tmp.path().string()), std::chrono::system_clock::now()),
      "experiment name 'a/b' must be non-empty and have no '/'");
}

TEST(RunContext, AppliesThreadsSeedAndDevice) {
  const RunContext ctx = RunContext::create(RunOptions().seed(3).threads(2).device("auto"), DeviceAvailability{});
  EXPECT_EQ(ctx.device.str(), "cpu");
  EXPECT_EQ(ctx.threads, 2);
  EXPECT_EQ(at::get_num_threads(), 2);
  EXPECT_EQ(ctx.seed, 3u);
  EXPECT_ERROR_HAS(RunContext::create(RunOptions().device("cuda"), DeviceAvailability{}), "CUDA is not available");
  EXPECT_ERROR_HAS(RunContext::create(RunOptions().log_level("loud"), DeviceAvailability{}),
                   "unknown log level 'loud'");
}

TEST(RunOptions, SchemaDefaultsMatchTheStruct) {
  config::ConfigNode n = config::parse_yaml("seed: 5\n", "r.yaml");
  const RunOptions o = run_options_binder().parse(n, "");
  EXPECT_EQ(o.seed(), 5);
  EXPECT_EQ(o.experiment(), "default");
  EXPECT_EQ(o.device(), "auto");
  EXPECT_FALSE(o.run_dir().has_value());
  EXPECT_ERROR_HAS(run_options_binder().parse(config::parse_yaml("log_level: verbose\n", "r.yaml"), ""),
                   "r.yaml:1:12: log_level: expected one of debug, info, warning, error, got 'verbose'");
  EXPECT_ERROR_HAS(run_options_binder().parse(config::parse_yaml("seed: -1\n", "r.yaml"), ""), "seed: must be >= 0");
}

}  // namespace
}  // namespace ecg
