// Archive extraction on arbitrary bytes (zip, tar, ...): whatever the archive holds,
// nothing may be written outside the destination. The destination sits inside a
// "jail" folder whose only other entry must stay the destination itself.
#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "datamgr/extract.h"
#include "fuzz_util.h"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fs::path archive = ecg::fuzz::write_scratch("a.bin", data, size);
  const fs::path jail = ecg::fuzz::scratch_dir() / "jail";
  fs::remove_all(jail);
  fs::create_directories(jail / "dest");
  ecg::datamgr::ExtractOptions o;
  o.max_total_bytes = 16 << 20;
  try {
    ecg::datamgr::extract_archive(archive, jail / "dest", o);
  } catch (const ecg::Error&) {
  }
  for (const auto& e : fs::directory_iterator(jail)) {
    if (e.path().filename() != "dest") __builtin_trap();  // escaped the destination
  }
  // The path rules on the raw bytes as an entry name, and as a link target.
  const std::string name = ecg::fuzz::as_text(data, std::min<size_t>(size, 256));
  try {
    const std::string p = ecg::datamgr::safe_entry_path(name);
    // An accepted name is relative and has no '..' component.
    if (p.empty() || p[0] == '/' || p[0] == '\\') __builtin_trap();
    size_t start = 0;
    while (start <= p.size()) {
      const size_t end = p.find_first_of("/\\", start);
      if (p.compare(start, (end == std::string::npos ? p.size() : end) - start, "..") == 0 &&
          (end == std::string::npos ? p.size() : end) - start == 2) {
        __builtin_trap();
      }
      if (end == std::string::npos) break;
      start = end + 1;
    }
  } catch (const ecg::Error&) {
  }
  (void)ecg::datamgr::symlink_stays_inside("a/b", name);
  return 0;
}
