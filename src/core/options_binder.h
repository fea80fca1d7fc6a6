#pragma once
// OptionsBinder: declare once how an Options struct (TORCH_ARG style) maps to config
// keys, and get from it both the strict Schema (types, defaults, help for `ecgtorch
// list`) and the reader that turns a normalized config section into the Options.
//
//   struct SgdOptions { TORCH_ARG(double, lr) = 0.01; TORCH_ARG(bool, nesterov) = false; };
//   OptionsBinder<SgdOptions> b("optimizer 'sgd'");
//   ECG_BIND(b, lr, "learning rate").min(0);
//   ECG_BIND(b, nesterov, "Nesterov momentum");
//   SgdOptions o = b.read(section, "optimizer");   // section already normalized
//
// Supported field types: bool, int64_t, double, std::string, std::vector of those three,
// and std::optional of any of them (nullable).

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "core/config_schema.h"
#include "core/error.h"

namespace ecg::config {

namespace detail {
template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {
  using type = T;
};

template <class T>
constexpr ValueType value_type_of() {
  if constexpr (std::is_same_v<T, bool>)
    return ValueType::kBool;
  else if constexpr (std::is_same_v<T, int64_t>)
    return ValueType::kInt;
  else if constexpr (std::is_same_v<T, double>)
    return ValueType::kFloat;
  else if constexpr (std::is_same_v<T, std::string>)
    return ValueType::kString;
  else if constexpr (std::is_same_v<T, std::vector<int64_t>>)
    return ValueType::kIntList;
  else if constexpr (std::is_same_v<T, std::vector<double>>)
    return ValueType::kFloatList;
  else if constexpr (std::is_same_v<T, std::vector<std::string>>)
    return ValueType::kStringList;
  else
    static_assert(!sizeof(T), "OptionsBinder: unsupported option type");
}

std::string format_double(double v);  // shortest text that reads back to v

template <class T>
ConfigNode to_node(const T& v) {
  if constexpr (std::is_same_v<T, bool>)
    return ConfigNode::scalar(v ? "true" : "false");
  else if constexpr (std::is_same_v<T, int64_t>)
    return ConfigNode::scalar(std::to_string(v));
  else if constexpr (std::is_same_v<T, double>)
    return ConfigNode::scalar(format_double(v));
  else if constexpr (std::is_same_v<T, std::string>)
    return ConfigNode::scalar(v, /*quoted=*/true);
  else {
    ConfigNode seq = ConfigNode::sequence();
    for (const auto& e : v) seq.push_back(to_node(e));
    return seq;
  }
}

template <class T>
T from_node(const ConfigNode& n, const std::string& path) {
  if constexpr (std::is_same_v<T, bool>)
    return read_bool(n, path);
  else if constexpr (std::is_same_v<T, int64_t>)
    return read_int(n, path);
  else if constexpr (std::is_same_v<T, double>)
    return read_float(n, path);
  else if constexpr (std::is_same_v<T, std::string>)
    return read_string(n, path);
  else if constexpr (std::is_same_v<T, std::vector<int64_t>>)
    return read_int_list(n, path);
  else if constexpr (std::is_same_v<T, std::vector<double>>)
    return read_float_list(n, path);
  else
    return read_string_list(n, path);
}
}  // namespace detail

template <class Options>
class OptionsBinder {
 public:
  /// `prototype` supplies the defaults; required fields keep placeholder values there.
  explicit OptionsBinder(std::string what, Options prototype = Options())
      : schema_(std::make_shared<Schema>(std::move(what))), prototype_(std::move(prototype)) {}

  /// Binds key `name` to the option reached by `access` (returns a mutable reference).
  /// The default comes from the prototype. Returns the FieldSpec to refine (ranges, ...).
  template <class Access>
  FieldSpec& field(const std::string& name, Access access, std::string help) {
    using Ref = decltype(access(std::declval<Options&>()));
    using T = std::remove_cv_t<std::remove_reference_t<Ref>>;
    FieldSpec f;
    f.name = name;
    f.help = std::move(help);
    if constexpr (detail::IsOptional<T>::value) {
      using V = typename detail::IsOptional<T>::type;
      f.type = detail::value_type_of<V>();
      f.nullable = true;
      const T& d = access(prototype_);
      f.default_value = d ? detail::to_node<V>(*d) : ConfigNode::null();
      readers_.push_back([name, access](Options& o, const ConfigNode& n, const std::string& path) {
        const ConfigNode& v = n.at(name);
        access(o) = v.is_null() ? T() : T(detail::from_node<V>(v, child_path(path, name)));
      });
    } else {
      f.type = detail::value_type_of<T>();
      f.default_value = detail::to_node<T>(access(prototype_));
      readers_.push_back([name, access](Options& o, const ConfigNode& n, const std::string& path) {
        access(o) = detail::from_node<T>(n.at(name), child_path(path, name));
      });
    }
    return schema_->add(std::move(f));
  }

  /// Like field(), but the key has no default and must be given.
  template <class Access>
  FieldSpec& required(const std::string& name, Access access, std::string help) {
    FieldSpec& f = field(name, access, std::move(help));
    f.required = true;
    f.default_value.reset();
    return f;
  }

  const Schema& schema() const { return *schema_; }
  std::shared_ptr<const Schema> shared_schema() const { return schema_; }

  /// Builds the Options from a section that schema().normalize() accepted. Keys other
  /// than the bound ones (e.g. a component's "name") are ignored.
  Options read(const ConfigNode& section, const std::string& path) const {
    Options o = prototype_;
    for (const auto& r : readers_) r(o, section, path);
    return o;
  }

  /// normalize + read, for sections that were not normalized yet.
  Options parse(ConfigNode section, const std::string& path) const {
    ConfigNode copy = std::move(section);
    copy.erase("name");
    schema_->normalize(copy, path);
    return read(copy, path);
  }

 private:
  std::shared_ptr<Schema> schema_;
  Options prototype_;
  std::vector<std::function<void(Options&, const ConfigNode&, const std::string&)>> readers_;
};

}  // namespace ecg::config

/// Binds TORCH_ARG option `name` of the binder's Options type to the config key "name".
#define ECG_BIND(binder, name, help) \
  (binder).field(                    \
      #name, [](auto& o) -> auto& { return o.name(); }, help)
#define ECG_BIND_REQUIRED(binder, name, help) \
  (binder).required(                          \
      #name, [](auto& o) -> auto& { return o.name(); }, help)
