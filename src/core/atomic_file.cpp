#include "core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "core/error.h"

namespace fs = std::filesystem;

namespace ecg {
namespace {

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string temp_name(const fs::path& path) {
  std::random_device rd;
  char suffix[16];
  std::snprintf(suffix, sizeof(suffix), "%08x", rd());
  return path.filename().string() + ".tmp." + std::to_string(::getpid()) + "." + suffix;
}

}  // namespace

void write_file_atomic(const fs::path& path, std::string_view content) {
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);
  ECG_CHECK(!ec, path.string(), ": cannot create directory ", dir.string(), ": ", ec.message());
  const fs::path tmp = dir / temp_name(path);
  Fd f;
  f.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  ECG_CHECK(f.fd >= 0, path.string(), ": cannot write: ", std::strerror(errno));
  auto fail = [&](const char* what) {
    const std::string reason = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw Error(str(path.string(), ": ", what, ": ", reason));
  };
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(f.fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("write failed");
    done += static_cast<size_t>(n);
  }
  if (::fsync(f.fd) != 0) fail("fsync failed");
  if (::close(f.fd) != 0) {
    f.fd = -1;
    fail("close failed");
  }
  f.fd = -1;
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("rename failed");
  Fd d;
  d.fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d.fd >= 0) ::fsync(d.fd);  // make the rename durable; best effort
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  ECG_CHECK(in.good(), path.string(), ": cannot open: ", std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  ECG_CHECK(!in.bad(), path.string(), ": read error");
  return buf.str();
}

}  // namespace ecg
