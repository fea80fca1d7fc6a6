#include "core/config_compose.h"

#include <gtest/gtest.h>

#include "core/config_loader.h"
#include "core/error.h"
#include "core/yaml_io.h"
#include "test_util.h"

namespace ecg::config {
namespace {

class Compose : public ::testing::Test {
 protected:
  void SetUp() override {
    dir.write("model/small.yaml", "name: small\nwidth: 16\ndepth: 2\n");
    dir.write("model/big.yaml", "name: big\nwidth: 64\ndepth: 8\n");
    dir.write("optimizer/sgd.yaml", "name: sgd\nlr: 0.1\n");
    dir.write("common.yaml", "seed: 1\nexperiment: common\n");
  }
  ConfigNode load(const std::string& main_text, std::vector<std::string> overrides = {}) {
    const auto main = dir.write("main.yaml", main_text);
    return load_config(ConfigRequest{main, std::move(overrides), {}, {}}, nullptr);
  }
  ecg::testing::TempDir dir;
};

TEST_F(Compose, GroupsGoUnderTheirKeyAndOwnKeysWin) {
  const ConfigNode c =
      load("defaults:\n  - model: small\n  - optimizer: sgd\n  - common\nseed: 7\nmodel:\n  depth: 3\n");
  EXPECT_EQ(c, parse_yaml("model: {name: small, width: 16, depth: 3}\noptimizer: {name: sgd, lr: 0.1}\n"
                          "seed: 7\nexperiment: common\n",
                          "want"));
}

TEST_F(Compose, SelfPositionDecidesPrecedence) {
  const ConfigNode c = load("defaults:\n  - _self_\n  - common\nseed: 7\n");
  EXPECT_EQ(c.at("seed").text(), "1");  // common.yaml comes after _self_
}

TEST_F(Compose, LaterEntriesOverrideEarlierOnes) {
  dir.write("tweak.yaml", "model: {width: 99}\n");
  const ConfigNode c = load("defaults:\n  - model: small\n  - tweak\n");
  EXPECT_EQ(c.at("model").at("width").text(), "99");
  EXPECT_EQ(c.at("model").at("depth").text(), "2");
}

TEST_F(Compose, GroupOverrideSwapsTheOption) {
  const ConfigNode c = load("defaults:\n  - model: small\n", {"model=big"});
  EXPECT_EQ(c.at("model").at("name").text(), "big");
  EXPECT_EQ(c.at("model").at("depth").text(), "8");
}

TEST_F(Compose, GroupAdditionAndNullSelection) {
  const ConfigNode added = load("seed: 1\n", {"+optimizer=sgd"});
  EXPECT_EQ(added.at("optimizer").at("lr").text(), "0.1");
  const ConfigNode none = load("defaults:\n  - model: null\nseed: 1\n");
  EXPECT_FALSE(none.has("model"));
  const ConfigNode dropped = load("defaults:\n  - model: small\n", {"model=null"});
  EXPECT_FALSE(dropped.has("model"));
}

TEST_F(Compose, NestedGroupsInGroupFiles) {
  dir.write("model/enc.yaml", "defaults:\n  - encoder: r18\nname: enc\n");
  dir.write("model/encoder/r18.yaml", "layers: 18\n");
  dir.write("model/encoder/r34.yaml", "layers: 34\n");
  EXPECT_EQ(load("defaults:\n  - model: enc\n").at("model").at("encoder").at("layers").text(), "18");
  EXPECT_EQ(load("defaults:\n  - model: enc\n", {"model/encoder=r34"}).at("model").at("encoder").at("layers").text(),
            "34");
}

TEST_F(Compose, UnknownOptionListsAvailableOnes) {
  EXPECT_ERROR_HAS(load("defaults:\n  - model: smal\n"),
                   "main.yaml:2:12: unknown option 'smal' for config group "
                   "'model', did you mean 'small'? (available: big, small)");
  EXPECT_ERROR_HAS(load("defaults:\n  - model: small\n", {"model=bgi"}),
                   "<override 1> 'model=bgi': unknown option 'bgi' for config group 'model', did you mean 'big'?");
}

TEST_F(Compose, OverridingAGroupThatIsNotSelectedSuggestsPlus) {
  EXPECT_ERROR_HAS(load("seed: 1\n", {"optimizer=sgd"}),
                   "<override 1> 'optimizer=sgd': no defaults list selects group 'optimizer'; use +optimizer=sgd");
}

TEST_F(Compose, IncludeCyclesAreReported) {
  dir.write("a.yaml", "defaults:\n  - b\n");
  dir.write("b.yaml", "defaults:\n  - a\n");
  EXPECT_ERROR_HAS(load("defaults:\n  - a\n"), "defaults cycle:");
}

TEST_F(Compose, BadDefaultsEntries) {
  EXPECT_ERROR_HAS(load("defaults: model\n"), "main.yaml:1:11: defaults: expected a list, got a scalar");
  EXPECT_ERROR_HAS(load("defaults:\n  - [1, 2]\n"), "main.yaml:2:5: defaults: expected '- group: option'");
  EXPECT_ERROR_HAS(load("defaults:\n  - missing_file\n"), "config file 'missing_file' not found");
  EXPECT_ERROR_HAS(load("- 1\n- 2\n"), "a config file must be a map, got a list");
}

TEST_F(Compose, SearchPathFindsGroupsElsewhere) {
  ecg::testing::TempDir other;
  other.write("loss/mse.yaml", "name: mse\n");
  const auto main = dir.write("main.yaml", "defaults:\n  - loss: mse\n");
  const ConfigNode c = load_config(ConfigRequest{main, {}, {other.path()}, {}}, nullptr);
  EXPECT_EQ(c.at("loss").at("name").text(), "mse");
  EXPECT_EQ(group_options("loss", {dir.path(), other.path()}), (std::vector<std::string>{"mse"}));
}

TEST(LoadConfig, MissingFile) {
  EXPECT_ERROR_HAS(load_config(ConfigRequest{"/no/such.yaml", {}, {}, {}}, nullptr),
                   "/no/such.yaml: config file not found");
}

}  // namespace
}  // namespace ecg::config
