#include "core/yaml_io.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "test_util.h"

namespace ecg::config {

TEST(ParseYaml, KeepsLocationsOrderAndQuoting) {
  const ConfigNode n = parse_yaml("b: 1\na:\n  x: \"3\"\n  y: [1, 2]\n", "f.yaml");
  ASSERT_TRUE(n.is_map());
  EXPECT_EQ(n.keys(), (std::vector<std::string>{"b", "a"}));
  const ConfigNode& x = n.at("a").at("x");
  EXPECT_EQ(x.text(), "3");
  EXPECT_TRUE(x.quoted());
  EXPECT_EQ(x.loc().str(), "f.yaml:3:6");
  EXPECT_EQ(x.key_loc().str(), "f.yaml:3:3");
  EXPECT_FALSE(n.at("b").quoted());
  EXPECT_EQ(n.at("a").at("y").size(), 2u);
  EXPECT_EQ(n.at("a").at("y").elements()[1].text(), "2");
}

TEST(ParseYaml, NullsAndEmptyDocument) {
  EXPECT_TRUE(parse_yaml("", "e.yaml").is_map());
  EXPECT_EQ(parse_yaml("", "e.yaml").size(), 0u);
  const ConfigNode n = parse_yaml("a: null\nb: ~\nc:\n", "n.yaml");
  EXPECT_TRUE(n.at("a").is_null());
  EXPECT_TRUE(n.at("b").is_null());
  EXPECT_TRUE(n.at("c").is_null());
}

TEST(ParseYaml, SyntaxErrorNamesFileAndLine) {
  EXPECT_ERROR_HAS(parse_yaml("a: 1\nb: [1, 2\nc: 3\n", "bad.yaml"), "bad.yaml:");
  EXPECT_ERROR_HAS(parse_yaml("a: 1\nb: [1, 2\nc: 3\n", "bad.yaml"), "YAML syntax error");
  EXPECT_ERROR_HAS(parse_yaml("a:\n  - 1\n - 2\n", "indent.yaml"), "indent.yaml:3");
}

TEST(ParseYaml, RejectsDuplicateKeys) {
  EXPECT_ERROR_HAS(parse_yaml("lr: 1\nmodel: {}\nlr: 2\n", "dup.yaml"),
                   "dup.yaml:3:1: duplicate key 'lr' (first defined at line 1)");
}

TEST(LoadYamlFile, MissingFileIsNamed) {
  EXPECT_ERROR_HAS(load_yaml_file("/nonexistent/x.yaml"), "/nonexistent/x.yaml: cannot open config file");
}

TEST(ToYaml, RoundTripsTypesAndQuoting) {
  const std::string text = "a: 1\nb: \"1\"\nc: [0.5, x]\nd:\n  e: ~\n  f: {}\ng: []\nh: \"with: colon\"\n";
  const ConfigNode n = parse_yaml(text, "t.yaml");
  const ConfigNode back = parse_yaml(to_yaml(n), "back.yaml");
  EXPECT_EQ(n, back);
  EXPECT_TRUE(back.at("b").quoted());
  EXPECT_FALSE(back.at("a").quoted());
  EXPECT_EQ(to_yaml_flow(n.at("c")), "[0.5, x]");
}

TEST(ConfigNode, MergeReplacesScalarsAndMergesMaps) {
  ConfigNode base = parse_yaml("a: 1\nm: {x: 1, y: [1, 2]}\n", "base.yaml");
  const ConfigNode over = parse_yaml("m: {y: [3], z: 4}\nb: 2\n", "over.yaml");
  base.merge_from(over);
  EXPECT_EQ(base, parse_yaml("a: 1\nm: {x: 1, y: [3], z: 4}\nb: 2\n", "want.yaml"));
  EXPECT_EQ(base.at("m").at("z").loc().file, "over.yaml");
}

}  // namespace ecg::config

// Found by fuzz/config_fuzz: bytes that are not UTF-8 were read, then emitted changed
// (the resolved config.yaml differed from what was loaded). They are refused, naming
// the line and column.
TEST(YamlIo, InvalidUtf8IsRefusedWithItsPosition) {
  EXPECT_ERROR_HAS(ecg::config::parse_yaml("a: 1\nb: x\xff\xfey\n", "bad.yaml"), "bad.yaml:2:5: invalid UTF-8");
  EXPECT_ERROR_HAS(ecg::config::parse_yaml("\xc0\xaf: 1\n", "overlong.yaml"), "overlong.yaml:1:1: invalid UTF-8");
  EXPECT_ERROR_HAS(ecg::config::parse_yaml("a: 1\nscheduler: warm\x01up\n", "ctl.yaml"),
                   "ctl.yaml:2:16: invalid UTF-8 or a control character");
  EXPECT_EQ(ecg::config::parse_yaml("a:\t1\r\n", "tab.yaml").at("a").text(), "1");
  EXPECT_ERROR_HAS(ecg::config::parse_yaml("a:\n  - !optimizer\n", "tag.yaml"),
                   "tag.yaml:2:5: YAML tags are not supported (got '!optimizer')");
  EXPECT_ERROR_HAS(ecg::config::parse_yaml("a: !!str 1\n", "tag2.yaml"), "YAML tags are not supported");
  // A lone CR is a line break (old Mac files), as YAML 1.2 says.
  const auto cr = ecg::config::parse_yaml("a: o M\rb: 2\r", "cr.yaml");
  EXPECT_EQ(cr.at("a").text(), "o M");
  EXPECT_EQ(cr.at("b").text(), "2");
  EXPECT_EQ(cr.at("b").loc().line, 2);
  const auto ok = ecg::config::parse_yaml("name: \"\xc3\xa9l\xc3\xa8ve \xe2\x9c\x93 \xf0\x9f\x92\x93\"\n", "ok.yaml");
  EXPECT_EQ(ok.at("name").text(), "\xc3\xa9l\xc3\xa8ve \xe2\x9c\x93 \xf0\x9f\x92\x93");
  EXPECT_EQ(ecg::config::parse_yaml(ecg::config::to_yaml(ok), "again"), ok);
}
