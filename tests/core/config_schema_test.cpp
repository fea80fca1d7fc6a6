#include "core/config_schema.h"

#include <gtest/gtest.h>
#include <torch/arg.h>

#include "core/error.h"
#include "core/options_binder.h"
#include "core/registry.h"
#include "core/yaml_io.h"
#include "test_util.h"

namespace ecg::config {
namespace {

struct NetOptions {
  explicit NetOptions(int64_t num_classes = 0) : num_classes_(num_classes) {}
  TORCH_ARG(int64_t, num_classes);
  TORCH_ARG(int64_t, width) = 32;
  TORCH_ARG(double, dropout) = 0.1;
  TORCH_ARG(bool, residual) = true;
  TORCH_ARG(std::string, norm) = "batch";
  TORCH_ARG(std::vector<int64_t>, kernels) = std::vector<int64_t>{3, 5};
  TORCH_ARG(std::vector<double>, scales) = std::vector<double>{0.5};
  TORCH_ARG(std::vector<std::string>, leads) = std::vector<std::string>{"I", "II"};
  TORCH_ARG(std::optional<int64_t>, max_len) = std::nullopt;
};

OptionsBinder<NetOptions> net_binder() {
  OptionsBinder<NetOptions> b("model 'net'");
  ECG_BIND_REQUIRED(b, num_classes, "number of outputs").min_value = 1;
  ECG_BIND(b, width, "channels").min_value = 1;
  auto& d = ECG_BIND(b, dropout, "dropout probability");
  d.min_value = 0;
  d.max_value = 1;
  ECG_BIND(b, residual, "skip connections");
  ECG_BIND(b, norm, "batch | layer").choices = {"batch", "layer"};
  ECG_BIND(b, kernels, "kernel sizes");
  ECG_BIND(b, scales, "scales").length = 1;
  ECG_BIND(b, leads, "lead names");
  ECG_BIND(b, max_len, "optional length cap");
  return b;
}

NetOptions parse(const std::string& yaml) {
  return net_binder().parse(parse_yaml(yaml, "net.yaml"), "model");
}

TEST(OptionsBinder, ReadsEveryTypeAndFillsDefaults) {
  const NetOptions o = parse(
      "num_classes: 5\nwidth: 64\ndropout: 1e-1\nresidual: false\nnorm: layer\n"
      "kernels: [7]\nscales: [2]\nleads: [V1]\nmax_len: 100\n");
  EXPECT_EQ(o.num_classes(), 5);
  EXPECT_EQ(o.width(), 64);
  EXPECT_DOUBLE_EQ(o.dropout(), 0.1);
  EXPECT_FALSE(o.residual());
  EXPECT_EQ(o.norm(), "layer");
  EXPECT_EQ(o.kernels(), std::vector<int64_t>{7});
  EXPECT_EQ(o.scales(), std::vector<double>{2.0});
  EXPECT_EQ(o.leads(), std::vector<std::string>{"V1"});
  EXPECT_EQ(o.max_len().value(), 100);

  const NetOptions d = parse("num_classes: 2\n");
  EXPECT_EQ(d.width(), 32);
  EXPECT_DOUBLE_EQ(d.dropout(), 0.1);
  EXPECT_EQ(d.kernels(), (std::vector<int64_t>{3, 5}));
  EXPECT_FALSE(d.max_len().has_value());
  EXPECT_FALSE(parse("num_classes: 2\nmax_len: null\n").max_len().has_value());
}

TEST(OptionsBinder, NormalizeFillsDefaultsIntoTheTree) {
  ConfigNode n = parse_yaml("num_classes: 2\n", "net.yaml");
  net_binder().schema().normalize(n, "model");
  EXPECT_EQ(to_yaml_flow(n),
            "{num_classes: 2, width: 32, dropout: 0.1, residual: true, norm: \"batch\", "
            "kernels: [3, 5], scales: [0.5], leads: [\"I\", \"II\"], max_len: ~}");
}

TEST(Schema, UnknownKeyNamesFileLineAndSuggests) {
  EXPECT_ERROR_HAS(parse("num_classes: 2\nwidht: 3\n"),
                   "net.yaml:2:1: model.widht: unknown key for model 'net', did you mean 'width'?");
  EXPECT_ERROR_HAS(parse("num_classes: 2\nzzzzzz: 3\n"),
                   "model.zzzzzz: unknown key for model 'net' (valid keys: num_classes, width, dropout");
}

TEST(Schema, WrongTypesNameTheValue) {
  EXPECT_ERROR_HAS(parse("num_classes: 2\nwidth: wide\n"), "net.yaml:2:8: model.width: expected int, got 'wide'");
  EXPECT_ERROR_HAS(parse("num_classes: 2\nwidth: 3.5\n"), "model.width: expected int, got '3.5'");
  EXPECT_ERROR_HAS(parse("num_classes: 2\nwidth: '3'\n"), "model.width: expected int, got string '3'");
  EXPECT_ERROR_HAS(parse("num_classes: 2\ndropout: [1]\n"), "model.dropout: expected float, got a list");
  EXPECT_ERROR_HAS(parse("num_classes: 2\nresidual: yes\n"),
                   "model.residual: expected bool (true or false), got 'yes'");
  EXPECT_ERROR_HAS(parse("num_classes: 2\nkernels: 3\n"), "model.kernels: expected list of int, got '3'");
  EXPECT_ERROR_HAS(parse("num_classes: 2\nkernels: [3, x]\n"), "net.yaml:2:14: model.kernels.1: expected int, got 'x'");
  EXPECT_ERROR_HAS(parse("num_classes: 2\nleads: {a: 1}\n"), "model.leads: expected list of string, got a map");
  EXPECT_ERROR_HAS(parse("num_classes: 2\nwidth: null\n"), "model.width: expected int, got null");
  EXPECT_ERROR_HAS(parse("num_classes: 99999999999999999999\n"), "integer out of range");
  EXPECT_ERROR_HAS(parse("- 1\n"), "model: expected a map for model 'net', got a list");
}

TEST(Schema, RangesChoicesLengthsAndRequired) {
  EXPECT_ERROR_HAS(parse("num_classes: 0\n"), "net.yaml:1:14: model.num_classes: must be >= 1, got 0");
  EXPECT_ERROR_HAS(parse("num_classes: 2\ndropout: 1.5\n"), "model.dropout: must be <= 1, got 1.5");
  EXPECT_ERROR_HAS(parse("num_classes: 2\nnorm: batc\n"),
                   "model.norm: expected one of batch, layer, got 'batc', did you mean 'batch'?");
  EXPECT_ERROR_HAS(parse("num_classes: 2\nscales: [1, 2]\n"), "model.scales: expected 1 elements, got 2");
  EXPECT_ERROR_HAS(parse("width: 3\n"),
                   "net.yaml:1:1: model: missing required key 'num_classes' (int: number of outputs)");
  EXPECT_ERROR_HAS(parse("num_classes: ???\n"),
                   "net.yaml:1:14: model.num_classes: missing required value (still '?\?\?')");
}

TEST(Schema, FloatsAcceptYamlSpellings) {
  EXPECT_DOUBLE_EQ(parse("num_classes: 2\ndropout: 1\n").dropout(), 1.0);
  EXPECT_DOUBLE_EQ(parse("num_classes: 2\ndropout: 5e-1\n").dropout(), 0.5);
  EXPECT_DOUBLE_EQ(parse("num_classes: 2\ndropout: .25\n").dropout(), 0.25);
  EXPECT_ERROR_HAS(parse("num_classes: 2\ndropout: inf\n"), "expected float, got 'inf'");
  EXPECT_ERROR_HAS(parse("num_classes: 2\ndropout: 0x1p-2\n"), "expected float");
}

struct Widget {
  explicit Widget(NetOptions o) : options(std::move(o)) {}
  NetOptions options;
};

TEST(Registry, CreatesFromConfigAndRejectsUnknownNames) {
  Registry<Widget> r("widget");
  r.add("net", "a test net", net_binder(), [](const NetOptions& o) { return std::make_shared<Widget>(o); });
  EXPECT_ERROR_HAS(r.add("net", "again", net_binder(), [](const NetOptions& o) { return std::make_shared<Widget>(o); }),
                   "widget 'net' is registered twice");
  const auto w = r.create(parse_yaml("name: net\nnum_classes: 3\nwidth: 8\n", "w.yaml"), "widget");
  EXPECT_EQ(w->options.num_classes(), 3);
  EXPECT_EQ(w->options.width(), 8);
  EXPECT_ERROR_HAS(r.create(parse_yaml("name: nte\nnum_classes: 3\n", "w.yaml"), "widget"),
                   "w.yaml:1:7: widget.name: unknown widget 'nte', did you mean 'net'? (known: net)");
  EXPECT_ERROR_HAS(r.create(parse_yaml("num_classes: 3\n", "w.yaml"), "widget"),
                   "widget: missing required key 'name' (one of: net)");
  EXPECT_ERROR_HAS(r.create(parse_yaml("name: net\nnum_classes: 3\nwidht: 3\n", "w.yaml"), "widget"),
                   "w.yaml:3:1: widget.widht: unknown key for model 'net', did you mean 'width'?");
  EXPECT_ERROR_HAS(r.at("zzz"), "unknown widget 'zzz' (known: net)");
  EXPECT_EQ(r.names(), std::vector<std::string>{"net"});
  ASSERT_EQ(r.infos().size(), 1u);
  EXPECT_EQ(r.infos()[0].summary, "a test net");
}

TEST(Registry, ComponentFieldsInSchemas) {
  Registry<Widget> r("widget");
  r.add("net", "a test net", net_binder(), [](const NetOptions& o) { return std::make_shared<Widget>(o); });
  Schema top("job");
  FieldSpec one;
  one.name = "widget";
  one.type = ValueType::kComponent;
  one.component = r.component_kind();
  top.add(one);
  FieldSpec many = one;
  many.name = "widgets";
  many.type = ValueType::kComponentList;
  top.add(many);
  ConfigNode c = parse_yaml("widget: {name: net, num_classes: 1}\nwidgets: [{name: net, num_classes: 2}]\n", "j.yaml");
  top.normalize(c, "");
  EXPECT_EQ(c.at("widget").at("width").text(), "32");
  EXPECT_EQ(c.at("widgets").elements()[0].at("num_classes").text(), "2");
  ConfigNode bad = parse_yaml("widgets: [{name: net, num_classes: 2}, {name: net, num_clases: 2}]\n", "j.yaml");
  EXPECT_ERROR_HAS(top.normalize(bad, ""),
                   "widgets.1.num_clases: unknown key for model 'net', did you mean 'num_classes'?");
  ConfigNode scalar = parse_yaml("widget: net\n", "j.yaml");
  EXPECT_ERROR_HAS(top.normalize(scalar, ""), "widget: expected a map {name: net, ...} for a widget, got 'net'");
}

}  // namespace
}  // namespace ecg::config
