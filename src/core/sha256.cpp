#include "core/sha256.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/error.h"

namespace ecg {

struct Sha256::Ctx {
  Ctx() : md(EVP_MD_CTX_new()) { ECG_CHECK(md != nullptr, "sha256: OpenSSL out of memory"); }
  ~Ctx() { EVP_MD_CTX_free(md); }
  EVP_MD_CTX* md;
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  reset();
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::reset() {
  ECG_CHECK(EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr) == 1, "sha256: OpenSSL init failed");
}

void Sha256::update(const void* data, size_t n) {
  ECG_CHECK(EVP_DigestUpdate(ctx_->md, data, n) == 1, "sha256: update failed");
}

std::string Sha256::hex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  ECG_CHECK(EVP_DigestFinal_ex(ctx_->md, md, &len) == 1, "sha256: final failed");
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out += digits[md[i] >> 4];
    out += digits[md[i] & 15];
  }
  reset();
  return out;
}

std::string sha256_hex(std::string_view data) {
  Sha256 h;
  h.update(data.data(), data.size());
  return h.hex();
}

std::string sha256_file(const std::filesystem::path& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  ECG_CHECK(f != nullptr, path.string(), ": cannot open: ", std::strerror(errno));
  Sha256 h;
  std::vector<char> buf(1 << 20);
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0) h.update(buf.data(), n);
  ECG_CHECK(!std::ferror(f.get()), path.string(), ": read error");
  return h.hex();
}

}  // namespace ecg
