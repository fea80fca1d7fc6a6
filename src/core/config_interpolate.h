#pragma once
// Interpolation, OmegaConf's grammar:
//
//   ${a.b}                the value at key path a.b (a map or list is copied whole)
//   ${.sibling} ${..x}    relative to the map holding this value (one dot per level up)
//   ${env:VAR} ${env:VAR,default}   an environment variable (default may interpolate)
//   "runs/${experiment}"  inside text: the referenced value must be a scalar
//   \${not.interpolated}  escaped
//
// Values from ${env:...} are plain scalars, typed later by the schema. Cycles are
// detected and reported with the chain of keys.

#include <functional>
#include <optional>
#include <string>

#include "core/config_node.h"

namespace ecg::config {

/// Looks up an environment variable; injected so that tests and tools control it.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

/// The process environment (std::getenv).
EnvLookup process_env();

/// Resolves every interpolation in `root` in place. Throws ecg::Error naming the file,
/// line and key of the value for an unknown key, an unset variable without default, a
/// map interpolated into text, an unknown resolver or a cycle.
void resolve_interpolations(ConfigNode& root, const EnvLookup& env);

}  // namespace ecg::config
