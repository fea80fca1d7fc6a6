#pragma once
// SHA-256 through OpenSSL's EVP interface.
//
//   std::string hex = sha256_file("manifest.json");   // 64 lowercase hex digits

#include <filesystem>
#include <string>
#include <string_view>

namespace ecg {

/// Hex digest of `data`.
std::string sha256_hex(std::string_view data);

/// Hex digest of a file, read in 1 MiB blocks. Throws ecg::Error naming the file when it
/// cannot be read.
std::string sha256_file(const std::filesystem::path& path);

}  // namespace ecg
