#include "core/config_override.h"

#include <gtest/gtest.h>

#include "core/config_interpolate.h"
#include "core/error.h"
#include "core/yaml_io.h"
#include "test_util.h"

namespace ecg::config {
namespace {

ConfigNode apply(const std::string& yaml, const std::vector<std::string>& overrides, const Schema* schema = nullptr) {
  ConfigNode root = parse_yaml(yaml, "base.yaml");
  for (size_t i = 0; i < overrides.size(); ++i) {
    apply_override(root, parse_override(overrides[i], static_cast<int64_t>(i) + 1), schema);
  }
  return root;
}

TEST(ParseOverride, Grammar) {
  Override o = parse_override("a.b=3", 1);
  EXPECT_EQ(o.op, Override::Op::kSet);
  EXPECT_EQ(o.key, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(o.value->text(), "3");
  EXPECT_FALSE(o.value->quoted());
  EXPECT_EQ(parse_override("+x=1", 1).op, Override::Op::kAdd);
  EXPECT_EQ(parse_override("++x=1", 1).op, Override::Op::kForceAdd);
  Override d = parse_override("~a.b", 2);
  EXPECT_EQ(d.op, Override::Op::kDelete);
  EXPECT_FALSE(d.value.has_value());
  EXPECT_TRUE(parse_override("s='3'", 1).value->quoted());
  EXPECT_EQ(parse_override("s=\"a b\"", 1).value->text(), "a b");
  EXPECT_TRUE(parse_override("l=[1,2]", 1).value->is_sequence());
  EXPECT_TRUE(parse_override("m={a: 1}", 1).value->is_map());
  EXPECT_TRUE(parse_override("n=null", 1).value->is_null());
  EXPECT_EQ(parse_override("e=", 1).value->text(), "");
  EXPECT_EQ(parse_override("d=cuda:0", 1).value->text(), "cuda:0");
  EXPECT_EQ(parse_override("p=runs/${experiment}", 1).value->text(), "runs/${experiment}");
}

TEST(ParseOverride, MalformedOnesAreNamed) {
  EXPECT_ERROR_HAS(parse_override("seed", 3), "<override 3> 'seed': expected key=value");
  EXPECT_ERROR_HAS(parse_override("a..b=1", 1), "<override 1> 'a..b=1': bad key 'a..b'");
  EXPECT_ERROR_HAS(parse_override("a b=1", 1), "bad key 'a b'");
  EXPECT_ERROR_HAS(parse_override("l=[1,2", 2), "<override 2> 'l=[1,2': bad value:");
}

TEST(ApplyOverride, SetAddForceDelete) {
  const ConfigNode c =
      apply("a: {b: 1, c: 2}\nl: [1, 2, 3]\n", {"a.b=5", "+a.d=new", "++a.c=7", "++z=1", "~l", "+m.n.o=deep"});
  EXPECT_EQ(c, parse_yaml("a: {b: 5, c: 7, d: new}\nz: 1\nm: {n: {o: deep}}\n", "want"));
}

TEST(ApplyOverride, ListsIndexAndReplaceWhole) {
  const ConfigNode c = apply("terms: [{name: mse, weight: 1}, {name: l1, weight: 2}]\nl: [1, 2]\n",
                             {"terms.1.weight=0.5", "l=[3,4,5]", "l.0=9"});
  EXPECT_EQ(c.at("terms").elements()[1].at("weight").text(), "0.5");
  EXPECT_EQ(c.at("l"), parse_yaml("[9, 4, 5]", "want"));
}

TEST(ApplyOverride, StrictErrors) {
  const std::string base = "model: {width: 3, depth: 2}\nl: [1]\n";
  EXPECT_ERROR_HAS(apply(base, {"model.widht=4"}),
                   "<override 1> 'model.widht=4': key 'model.widht' does not exist, did you mean 'width'? "
                   "(use +model.widht=4 to add it)");
  EXPECT_ERROR_HAS(apply(base, {"mdoel.width=4"}), "key 'mdoel' does not exist, did you mean 'model'?");
  EXPECT_ERROR_HAS(apply(base, {"+model.width=4"}), "key 'model.width' already exists");
  EXPECT_ERROR_HAS(apply(base, {"~model.height"}), "cannot delete 'model.height': no such key");
  EXPECT_ERROR_HAS(apply(base, {"~model.width=9"}), "cannot delete 'model.width': its value is not 9");
  EXPECT_ERROR_HAS(apply(base, {"l.3=1"}), "index 3 out of range for 'l' (1 elements)");
  EXPECT_ERROR_HAS(apply(base, {"l.x=1"}), "'l' is a list; expected an index, got 'x'");
  EXPECT_ERROR_HAS(apply(base, {"model.width.x=1"}), "'model.width' is a scalar, not a map");
  EXPECT_EQ(apply(base, {"~model.width=3"}).at("model").keys(), std::vector<std::string>{"depth"});
}

TEST(ApplyOverride, SchemaDeclaredKeysMayBeSetWhenAbsent) {
  Schema s("test");
  FieldSpec f;
  f.name = "seed";
  f.type = ValueType::kInt;
  f.default_value = ConfigNode::scalar("0");
  s.add(f);
  EXPECT_EQ(apply("{}", {"seed=4"}, &s).at("seed").text(), "4");
  EXPECT_ERROR_HAS(apply("{}", {"sed=4"}, &s), "key 'sed' does not exist, did you mean 'seed'?");
}

}  // namespace
}  // namespace ecg::config

namespace ecg::config {

// Found by fuzz/config_fuzz: a list index with more digits than size_t holds threw
// std::out_of_range ("stoul") instead of the override's own error.
TEST(Override, HugeListIndexIsOutOfRange) {
  ConfigNode root = parse_yaml("a: [1, 2]\n", "t.yaml");
  EXPECT_ERROR_HAS(apply_override(root, parse_override("a.99999999999999999999999=3", 1), nullptr),
                   "index 18446744073709551615 out of range for 'a' (2 elements)");
  ConfigNode r2 = parse_yaml("a: [1, 2]\nb: ${a.99999999999999999999999}\n", "t.yaml");
  EXPECT_ERROR_HAS(resolve_interpolations(r2, [](const std::string&) { return std::optional<std::string>(); }),
                   "not found");
}

}  // namespace ecg::config
