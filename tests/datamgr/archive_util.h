#pragma once
// Writes zip / tar archives with arbitrary (including hostile) entry names for tests.

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace ecg::testing {

struct ArchiveEntrySpec {
  std::string name;
  std::string content;  // regular files
  enum class Type { kFile, kDir, kSymlink, kHardlink } type = Type::kFile;
  std::string link;  // symlink target or hardlink source
};

/// format: "zip" or "tar".
inline void write_archive(const std::filesystem::path& path, const std::vector<ArchiveEntrySpec>& entries,
                          const std::string& format = "zip") {
  archive* a = archive_write_new();
  if (format == "zip") {
    archive_write_set_format_zip(a);
  } else {
    archive_write_set_format_pax_restricted(a);
  }
  if (archive_write_open_filename(a, path.c_str()) != ARCHIVE_OK) throw std::runtime_error("cannot write archive");
  for (const auto& e : entries) {
    archive_entry* x = archive_entry_new();
    archive_entry_set_pathname(x, e.name.c_str());
    archive_entry_set_perm(x, 0644);
    archive_entry_set_mtime(x, 1700000000, 0);
    switch (e.type) {
      case ArchiveEntrySpec::Type::kFile:
        archive_entry_set_filetype(x, AE_IFREG);
        archive_entry_set_size(x, static_cast<la_int64_t>(e.content.size()));
        break;
      case ArchiveEntrySpec::Type::kDir:
        archive_entry_set_filetype(x, AE_IFDIR);
        archive_entry_set_perm(x, 0755);
        break;
      case ArchiveEntrySpec::Type::kSymlink:
        archive_entry_set_filetype(x, AE_IFLNK);
        archive_entry_set_symlink(x, e.link.c_str());
        break;
      case ArchiveEntrySpec::Type::kHardlink:
        archive_entry_set_filetype(x, AE_IFREG);
        archive_entry_set_hardlink(x, e.link.c_str());
        archive_entry_set_size(x, 0);
        break;
    }
    archive_write_header(a, x);
    if (e.type == ArchiveEntrySpec::Type::kFile && !e.content.empty()) {
      archive_write_data(a, e.content.data(), e.content.size());
    }
    archive_entry_free(x);
  }
  archive_write_close(a);
  archive_write_free(a);
}

}  // namespace ecg::testing
