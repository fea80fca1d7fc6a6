#include "datamgr/extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <random>

#include "core/error.h"
#include "core/progress.h"
#include "core/sha256.h"
#include "datamgr/file_hashing.h"

namespace fs = std::filesystem;

namespace ecg::datamgr {
namespace {

std::vector<std::string> components(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == '/' || c == '\\') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveDeleter>;

ArchivePtr open_archive(const fs::path& path) {
  ArchivePtr a(archive_read_new());
  ECG_CHECK(a != nullptr, path.string(), ": libarchive: out of memory");
  archive_read_support_format_all(a.get());
  archive_read_support_filter_all(a.get());
  ECG_CHECK(archive_read_open_filename(a.get(), path.c_str(), 1 << 20) == ARCHIVE_OK, path.string(),
            ": cannot open archive: ", archive_error_string(a.get()));
  return a;
}

struct Entry {
  std::string path;  // normalised
  mode_t type = 0;
  std::string link;  // symlink target or hardlink source (normalised for hardlinks)
  bool hardlink = false;
  bool included = true;
};

/// Validates one header; throws naming the entry.
Entry check_entry(archive_entry* e, const fs::path& archive_path, const ExtractOptions& o) {
  const char* raw = archive_entry_pathname(e);
  const std::string name = raw ? raw : "";
  const std::string where = str(archive_path.string(), ": entry '", name, "'");
  Entry out;
  try {
    out.path = safe_entry_path(name);
  } catch (const Error& err) {
    throw Error(str(where, ": ", err.what()));
  }
  out.type = archive_entry_filetype(e);
  if (const char* h = archive_entry_hardlink(e)) {
    try {
      out.link = safe_entry_path(h);
    } catch (const Error& err) {
      throw Error(str(where, ": hardlink target '", h, "': ", err.what()));
    }
    out.hardlink = true;
  } else if (out.type == AE_IFLNK) {
    const char* t = archive_entry_symlink(e);
    out.link = t ? t : "";
    ECG_CHECK(symlink_stays_inside(out.path, out.link), where, ": symlink to '", out.link, "' leaves the destination");
  } else {
    ECG_CHECK(out.type == AE_IFREG || out.type == AE_IFDIR, where,
              ": unsupported entry type (only files, directories and links are extracted)");
  }
  out.included = out.type == AE_IFDIR || matches_any(out.path, o.include);
  return out;
}

/// Refuses to write through a symlink: every existing parent of `rel` under `dest` must
/// be a real directory.
void check_no_symlink_parents(const fs::path& dest, const std::string& rel, const std::string& where) {
  fs::path p = dest;
  const auto parts = components(rel);
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    p /= parts[i];
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) return;
    ECG_CHECK(!S_ISLNK(st.st_mode), where, ": refusing to write through the symlink ", p.string());
  }
}

std::string temp_sibling(const fs::path& target) {
  std::random_device rd;
  return (target.parent_path() / ("." + target.filename().string() + ".extract." + std::to_string(rd()))).string();
}

}  // namespace

std::string safe_entry_path(const std::string& name) {
  ECG_CHECK(!name.empty(), "empty name");
  ECG_CHECK(name[0] != '/' && name[0] != '\\', "absolute path");
  ECG_CHECK(!(name.size() >= 2 && name[1] == ':'), "absolute path (drive letter)");
  std::string out;
  for (const auto& c : components(name)) {
    if (c.empty() || c == ".") continue;
    ECG_CHECK(c != "..", "'..' leaves the destination");
    out += (out.empty() ? "" : "/") + c;
  }
  ECG_CHECK(!out.empty(), "empty name");
  return out;
}

bool symlink_stays_inside(const std::string& link, const std::string& target) {
  if (target.empty() || target[0] == '/' || target[0] == '\\') return false;
  auto parts = components(link);
  parts.pop_back();  // the link's directory
  std::vector<std::string> stack;
  for (const auto& c : parts) {
    if (!c.empty() && c != ".") stack.push_back(c);
  }
  for (const auto& c : components(target)) {
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (stack.empty()) return false;
      stack.pop_back();
    } else {
      stack.push_back(c);
    }
  }
  return true;
}

ExtractResult extract_archive(const fs::path& archive_path, const fs::path& dest, const ExtractOptions& o) {
  std::error_code ec;
  const int64_t archive_bytes = static_cast<int64_t>(fs::file_size(archive_path, ec));
  ECG_CHECK(!ec, archive_path.string(), ": cannot read: ", ec.message());
  const double ratio_limit = o.max_ratio * static_cast<double>(std::max<int64_t>(archive_bytes, 1));
  auto check_total = [&](int64_t total, const char* what) {
    ECG_CHECK(total <= o.max_total_bytes, archive_path.string(), ": ", what, " ", total, " bytes, over the limit of ",
              o.max_total_bytes, " (a zip bomb?)");
    ECG_CHECK(total <= (int64_t{1} << 20) || static_cast<double>(total) <= ratio_limit, archive_path.string(), ": ",
              what, " ", total, " bytes from a ", archive_bytes, "-byte archive, over the ratio limit of ", o.max_ratio,
              " (a zip bomb?)");
  };

  // Pass 1: every header, before anything is written.
  int64_t declared = 0;
  {
    auto a = open_archive(archive_path);
    archive_entry* e = nullptr;
    int r = ARCHIVE_OK;
    while ((r = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
      const Entry entry = check_entry(e, archive_path, o);
      if (entry.included && archive_entry_size_is_set(e)) declared += archive_entry_size(e);
      check_total(declared, "declares");
    }
    ECG_CHECK(r == ARCHIVE_EOF, archive_path.string(), ": damaged archive: ", archive_error_string(a.get()));
  }

  // Pass 2: extract.
  ExtractResult result;
  fs::create_directories(dest, ec);
  ECG_CHECK(!ec, "cannot create ", dest.string(), ": ", ec.message());
  Progress progress(declared, "B", o.progress);
  auto a = open_archive(archive_path);
  archive_entry* e = nullptr;
  std::vector<char> buf(1 << 20);
  int r = ARCHIVE_OK;
  while ((r = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
    const Entry entry = check_entry(e, archive_path, o);
    if (!entry.included) continue;
    const std::string where = str(archive_path.string(), ": entry '", entry.path, "'");
    const fs::path target = dest / entry.path;
    check_no_symlink_parents(dest, entry.path, where);
    if (entry.type == AE_IFDIR) {
      fs::create_directories(target, ec);
      ECG_CHECK(!ec, where, ": cannot create ", target.string(), ": ", ec.message());
      continue;
    }
    fs::create_directories(target.parent_path(), ec);
    ECG_CHECK(!ec, where, ": cannot create ", target.parent_path().string(), ": ", ec.message());
    if (entry.hardlink) {
      const fs::path source = dest / entry.link;
      check_no_symlink_parents(dest, entry.link, where);
      const std::string tmp = temp_sibling(target);
      ECG_CHECK(::link(source.c_str(), tmp.c_str()) == 0, where, ": cannot link to ", source.string(), ": ",
                std::strerror(errno));
      fs::rename(tmp, target, ec);
      ECG_CHECK(!ec, where, ": cannot rename: ", ec.message());
      continue;
    }
    if (entry.type == AE_IFLNK) {
      const std::string tmp = temp_sibling(target);
      ECG_CHECK(::symlink(entry.link.c_str(), tmp.c_str()) == 0, where,
                ": cannot create symlink: ", std::strerror(errno));
      fs::rename(tmp, target, ec);
      ECG_CHECK(!ec, where, ": cannot rename: ", ec.message());
      continue;
    }
    const std::string tmp = temp_sibling(target);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    ECG_CHECK(fd >= 0, where, ": cannot write ", target.string(), ": ", std::strerror(errno));
    auto fail = [&](const std::string& why) {
      ::close(fd);
      ::unlink(tmp.c_str());
      throw Error(str(where, ": ", why));
    };
    Sha256 digest;
    while (true) {
      const la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
      if (n == 0) break;
      if (n < 0) fail(str("damaged data: ", archive_error_string(a.get())));
      result.bytes += n;
      try {
        check_total(result.bytes, "expands to");
      } catch (const Error& err) {
        fail(err.what());
      }
      for (la_ssize_t done = 0; done < n;) {
        const ssize_t w = ::write(fd, buf.data() + done, static_cast<size_t>(n - done));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) fail(str("cannot write ", target.string(), ": ", std::strerror(w < 0 ? errno : ENOSPC)));
        done += w;
      }
      digest.update(buf.data(), static_cast<size_t>(n));
      progress.tick(n);
    }
    ::fchmod(fd, (archive_entry_perm(e) & 0777) | 0600);
    const struct timespec times[2] = {{archive_entry_mtime(e), 0}, {archive_entry_mtime(e), 0}};
    if (archive_entry_mtime_is_set(e)) ::futimens(fd, times);
    if (::fsync(fd) != 0) fail(str("cannot write ", target.string(), ": fsync: ", std::strerror(errno)));
    if (::close(fd) != 0) {
      ::unlink(tmp.c_str());
      throw Error(str(where, ": cannot write ", target.string(), ": close: ", std::strerror(errno)));
    }
    fs::rename(tmp, target, ec);
    if (ec) {
      ::unlink(tmp.c_str());
      throw Error(str(where, ": cannot rename into place: ", ec.message()));
    }
    ++result.files;
    result.paths.push_back(entry.path);
    result.sha256.push_back(digest.hex());
  }
  ECG_CHECK(r == ARCHIVE_EOF, archive_path.string(), ": damaged archive: ", archive_error_string(a.get()));
  return result;
}

}  // namespace ecg::datamgr
