#pragma once
// SHA-256 through OpenSSL's EVP interface.
//
//   std::string hex = sha256_file("manifest.json");   // 64 lowercase hex digits
//   Sha256 h;  h.update(p, n);  h.update(q, m);  std::string d = h.hex();   // streaming

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace ecg {

/// Incremental SHA-256. hex() finishes the digest and starts a new one.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  void update(const void* data, size_t n);
  /// 64 lowercase hex digits of what was fed since the last reset; then resets.
  std::string hex();
  void reset();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

/// Hex digest of `data`.
std::string sha256_hex(std::string_view data);

/// Hex digest of a file, read in 1 MiB blocks. Throws ecg::Error naming the file when it
/// cannot be read.
std::string sha256_file(const std::filesystem::path& path);

}  // namespace ecg
