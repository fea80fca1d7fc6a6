#include "core/config_loader.h"

#include <algorithm>

#include "core/config_compose.h"
#include "core/config_override.h"
#include "core/error.h"

namespace fs = std::filesystem;

namespace ecg::config {

std::vector<fs::path> config_search_path(const fs::path& file, const std::vector<fs::path>& extra) {
  std::vector<fs::path> out;
  auto add = [&](const fs::path& p) {
    std::error_code ec;
    const fs::path c = fs::weakly_canonical(p, ec);
    const fs::path key = ec ? p : c;
    if (std::find(out.begin(), out.end(), key) == out.end()) out.push_back(key);
  };
  add(file.has_parent_path() ? file.parent_path() : fs::path("."));
  for (const auto& p : extra) add(p);
  return out;
}

ConfigNode load_config(const ConfigRequest& request, const Schema* schema) {
  ECG_CHECK(fs::is_regular_file(request.file), request.file.string(), ": config file not found");
  const auto search = config_search_path(request.file, request.search_path);

  std::vector<Override> values;
  std::vector<GroupChoice> choices;
  for (size_t i = 0; i < request.overrides.size(); ++i) {
    Override ov = parse_override(request.overrides[i], static_cast<int64_t>(i) + 1);
    const bool group_like = ov.key.size() == 1 && ov.value && (ov.value->is_scalar() || ov.value->is_null()) &&
                            (ov.op == Override::Op::kSet || ov.op == Override::Op::kAdd);
    if (group_like && is_config_group(ov.key[0], search)) {
      GroupChoice c;
      c.group = ov.key[0];
      if (ov.value->is_scalar()) c.option = ov.value->text();
      c.add = ov.op == Override::Op::kAdd;
      c.source = ov.source();
      choices.push_back(std::move(c));
    } else {
      ECG_CHECK(ov.key.size() != 1 || ov.key[0].find('/') == std::string::npos, ov.source(), ": no config group '",
                ov.key[0], "' in the search path");
      values.push_back(std::move(ov));
    }
  }

  ConfigNode root = compose(request.file, search, choices);
  for (const auto& ov : values) apply_override(root, ov, schema);
  // Defaults go in before interpolation, so that ${runs_root} can refer to one.
  if (schema != nullptr) schema->fill_defaults(root);
  resolve_interpolations(root, request.env ? request.env : process_env());
  if (schema != nullptr) schema->normalize(root, "");
  return root;
}

}  // namespace ecg::config
