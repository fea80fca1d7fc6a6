#pragma once
// Hydra-style composition of a config file from its `defaults:` list.
//
//   defaults:            # in configs/train.yaml
//     - model: resnet1d  # configs/model/resnet1d.yaml  -> key `model`
//     - optimizer: adamw # configs/optimizer/adamw.yaml -> key `optimizer`
//     - common           # common.yaml beside this file, merged at the root
//     - _self_           # where this file's own keys go (default: last)
//   seed: 3
//
// Later entries override earlier ones; the file's own keys override them all unless
// `_self_` says otherwise. An entry `- model: null` selects nothing. Group files may
// have defaults of their own: `- encoder: r18` inside model/x.yaml loads
// model/encoder/r18.yaml under `model.encoder`. Group files are looked up in the search
// path in order; include cycles are reported.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/config_node.h"

namespace ecg::config {

/// A group choice from the command line: `model=vit_detr` (replace) or `+model=x` (add).
struct GroupChoice {
  std::string group;                  // "model", or "model/encoder" for nested groups
  std::optional<std::string> option;  // nullopt: select nothing (`model=null`)
  bool add = false;                   // `+group=option`: append to the primary's defaults
  std::string source;                 // "<override N> 'model=vit_detr'" for messages
};

/// True if some directory of `search_path` has a subdirectory `group`.
bool is_config_group(const std::string& group, const std::vector<std::filesystem::path>& search_path);

/// Composes `primary` with its defaults lists. Every choice must be used: replacing a
/// group that no defaults list names is an error (it suggests `+group=...`).
ConfigNode compose(const std::filesystem::path& primary, const std::vector<std::filesystem::path>& search_path,
                   const std::vector<GroupChoice>& choices);

/// The options available for a group: the stems of `<dir>/<group>/*.yaml`, sorted.
std::vector<std::string> group_options(const std::string& group, const std::vector<std::filesystem::path>& search_path);

}  // namespace ecg::config
