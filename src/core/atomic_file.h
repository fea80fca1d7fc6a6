#pragma once
// Atomic file writes: the content goes to a temporary file in the same directory, is
// flushed to disk, then renamed over the target. A crash leaves either the old file or
// the new one, never a half-written file under the target's name.

#include <filesystem>
#include <string_view>

namespace ecg {

/// Writes `content` to `path` atomically; creates missing parent directories. Throws
/// ecg::Error naming the file and the system error (disk full, permission denied, ...);
/// on failure the temporary file is removed and `path` is untouched.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

/// Reads a whole file; throws ecg::Error naming it when it cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace ecg
