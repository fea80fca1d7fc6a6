#include "core/config_interpolate.h"

#include <gtest/gtest.h>

#include <map>

#include "core/error.h"
#include "core/yaml_io.h"
#include "test_util.h"

namespace ecg::config {
namespace {

EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

ConfigNode resolve(const std::string& yaml, std::map<std::string, std::string> env = {}) {
  ConfigNode root = parse_yaml(yaml, "i.yaml");
  resolve_interpolations(root, fake_env(std::move(env)));
  return root;
}

TEST(Interpolate, WholeValueCopiesTypedNodes) {
  const ConfigNode c = resolve("a: {b: 3, l: [1, 2]}\nx: ${a.b}\ny: ${a.l}\nz: ${a}\nq: '${a.b}'\n");
  EXPECT_EQ(c.at("x").text(), "3");
  EXPECT_FALSE(c.at("x").quoted());
  EXPECT_EQ(c.at("y"), parse_yaml("[1, 2]", "w"));
  EXPECT_EQ(c.at("z"), parse_yaml("{b: 3, l: [1, 2]}", "w"));
  EXPECT_EQ(c.at("x").loc().line, 2);  // keeps the location of the value that interpolated
}

TEST(Interpolate, InsideTextChainsAndRelative) {
  const ConfigNode c = resolve(
      "experiment: ecg\nroot: runs\ndir: ${root}/${experiment}/x\nfinal: ${dir}\n"
      "model:\n  width: 8\n  twice: ${.width}${.width}\n  up: ${..root}\nlist: [a, '${list.0}b']\n");
  EXPECT_EQ(c.at("dir").text(), "runs/ecg/x");
  EXPECT_EQ(c.at("final").text(), "runs/ecg/x");
  EXPECT_EQ(c.at("model").at("twice").text(), "88");
  EXPECT_EQ(c.at("model").at("up").text(), "runs");
  EXPECT_EQ(c.at("list").elements()[1].text(), "ab");
}

TEST(Interpolate, EnvironmentWithDefaults) {
  const ConfigNode c = resolve(
      "threads: ${env:THREADS}\nhome: ${env:NOPE,/tmp}\nn: ${env:NOPE,null}\nnested: ${env:NOPE,${threads}}\n"
      "spaced: '${env: THREADS , 1}'\nold: ${oc.env:THREADS}\nescaped: \\${env:THREADS}\n",
      {{"THREADS", "4"}});
  EXPECT_EQ(c.at("threads").text(), "4");
  EXPECT_FALSE(c.at("threads").quoted());  // typed later by the schema, like a plain scalar
  EXPECT_EQ(c.at("home").text(), "/tmp");
  EXPECT_TRUE(c.at("n").is_null());
  EXPECT_EQ(c.at("nested").text(), "4");
  EXPECT_EQ(c.at("spaced").text(), "4");
  EXPECT_EQ(c.at("old").text(), "4");
  EXPECT_EQ(c.at("escaped").text(), "${env:THREADS}");
}

TEST(Interpolate, CyclesAreReportedWithTheChain) {
  EXPECT_ERROR_HAS(resolve("a: ${b}\nb: ${c}\nc: ${a}\n"), "i.yaml:1:4: a: interpolation cycle: a -> b -> c -> a");
  EXPECT_ERROR_HAS(resolve("a: x${a}\n"), "interpolation cycle: a -> a");
  EXPECT_ERROR_HAS(resolve("a: ${env:ECG_UNSET_VAR,${b}}\nb: ${a}\n"), "interpolation cycle: a -> b -> a");
  EXPECT_ERROR_HAS(resolve("m:\n  b: ${m}\n"), "interpolation cycle: m.b -> m.b");
}

TEST(Interpolate, Errors) {
  EXPECT_ERROR_HAS(resolve("model: {width: 3}\nx: ${model.widht}\n"),
                   "i.yaml:2:4: x: ${model.widht}: key 'model.widht' not found, did you mean 'width'?");
  EXPECT_ERROR_HAS(resolve("x: ${env:ECG_UNSET_VAR}\n"),
                   "x: environment variable ECG_UNSET_VAR is not set (give a default: ${env:ECG_UNSET_VAR,value})");
  EXPECT_ERROR_HAS(resolve("m: {a: 1}\nx: pre${m}\n"), "x: ${m} is a map and cannot be part of a string");
  EXPECT_ERROR_HAS(resolve("x: ${foo:bar}\n"), "unknown resolver 'foo' in ${foo:bar} (supported: env)");
  EXPECT_ERROR_HAS(resolve("x: ${a\n"), "unterminated interpolation");
  EXPECT_ERROR_HAS(resolve("a: ???\nx: ${a}\n"), "${a} refers to a missing value");
  EXPECT_ERROR_HAS(resolve("x: ${...a}\n"), "goes above the root");
}

}  // namespace
}  // namespace ecg::config
