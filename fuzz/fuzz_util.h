#pragma once
// Helpers for the fuzz targets: a scratch directory per process (in /dev/shm when it
// exists) and the rule every target follows: ecg::Error (and the libraries' own
// documented exceptions) are the expected answer to bad input; anything else (a crash,
// a sanitizer report, another exception type) is a bug.

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace ecg::fuzz {

inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    const std::filesystem::path base =
        std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    auto d = base / ("ecgtorch-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

inline std::filesystem::path write_scratch(const std::string& name, const uint8_t* data, size_t size) {
  const auto p = scratch_dir() / name;
  std::ofstream(p, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return p;
}

inline std::string as_text(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

/// The input as JSON, or nullopt when it is not JSON (not a finding: the readers under
/// test take parsed JSON).
inline std::optional<nlohmann::json> parse_json(const uint8_t* data, size_t size) {
  try {
    return nlohmann::json::parse(as_text(data, size));
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace ecg::fuzz
