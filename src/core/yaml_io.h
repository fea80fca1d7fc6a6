#pragma once
// The one place where YAML text becomes a ConfigNode and back (yaml-cpp underneath).
// Parsing records file/line/column for every value and key, rejects duplicate keys
// and non-string keys, and reports syntax errors as "file:line:col: YAML syntax error: ...".

#include <filesystem>
#include <string>

#include "core/config_node.h"

namespace ecg::config {

/// Parses YAML text; `source_name` is used in locations and messages. An empty
/// document gives an empty map. Throws ecg::Error on syntax errors and duplicate keys.
ConfigNode parse_yaml(const std::string& text, const std::string& source_name);

/// Reads and parses a file. Throws ecg::Error naming the file when it cannot be read.
ConfigNode load_yaml_file(const std::filesystem::path& path);

/// Emits block-style YAML that parse_yaml reads back to an equal tree (quoted scalars
/// stay quoted, so string "3" stays a string). Ends with a newline.
std::string to_yaml(const ConfigNode& node);

/// One-line flow-style YAML: "[0.9, 0.999]", "{a: 1}", "mean", "~".
std::string to_yaml_flow(const ConfigNode& node);

}  // namespace ecg::config
