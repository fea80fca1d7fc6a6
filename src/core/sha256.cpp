#include "core/sha256.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "core/error.h"

namespace ecg {
namespace {

struct MdCtx {
  MdCtx() : ctx(EVP_MD_CTX_new()) {
    ECG_CHECK(ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1, "sha256: OpenSSL init failed");
  }
  ~MdCtx() { EVP_MD_CTX_free(ctx); }
  void update(const void* p, size_t n) { ECG_CHECK(EVP_DigestUpdate(ctx, p, n) == 1, "sha256: update failed"); }
  std::string hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    ECG_CHECK(EVP_DigestFinal_ex(ctx, md, &len) == 1, "sha256: final failed");
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
      out += digits[md[i] >> 4];
      out += digits[md[i] & 15];
    }
    return out;
  }
  EVP_MD_CTX* ctx;
};

}  // namespace

std::string sha256_hex(std::string_view data) {
  MdCtx c;
  c.update(data.data(), data.size());
  return c.hex();
}

std::string sha256_file(const std::filesystem::path& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  ECG_CHECK(f != nullptr, path.string(), ": cannot open: ", std::strerror(errno));
  MdCtx c;
  std::vector<char> buf(1 << 20);
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0) c.update(buf.data(), n);
  ECG_CHECK(!std::ferror(f.get()), path.string(), ": read error");
  return c.hex();
}

}  // namespace ecg
