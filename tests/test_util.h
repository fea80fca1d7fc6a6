#pragma once
// Helpers shared by the tests: a temporary directory that removes itself, file writing,
// and a matcher-style check that an ecg::Error message contains a substring.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

namespace ecg::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ecgtorch-test-XXXXXX").string();
    char* p = ::mkdtemp(tmpl.data());
    if (p == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& rel) const { return path_ / rel; }

  /// Writes `content` to path()/rel, creating parent directories; returns the path.
  std::filesystem::path write(const std::string& rel, const std::string& content) const {
    const auto p = path_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }

 private:
  std::filesystem::path path_;
};

/// A path the test harness passes through the environment (ECGTORCH_SOURCE_DIR, set by
/// ctest). Fails the calling test with a clear message when unset.
inline std::filesystem::path env_path(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    ADD_FAILURE() << name << " is not set: run the tests through ctest, or set it by hand";
    return {};
  }
  return v;
}

/// The shared real-data folder: $ECGTORCH_DATA_DIR, else <source>/../shared/data.
/// Tests that need it call GTEST_SKIP when it is absent (a fresh clone has none).
inline std::filesystem::path shared_data_dir() {
  if (const char* v = std::getenv("ECGTORCH_DATA_DIR")) return v;
  const char* src = std::getenv("ECGTORCH_SOURCE_DIR");
  return src != nullptr ? std::filesystem::path(src) / ".." / "shared" / "data"
                        : std::filesystem::path("../shared/data");
}

#define ECG_REQUIRE_SHARED_DATA(rel)                                                                    \
  do {                                                                                                  \
    if (!std::filesystem::exists(::ecg::testing::shared_data_dir() / (rel))) {                          \
      GTEST_SKIP() << "shared data not found: " << (::ecg::testing::shared_data_dir() / (rel)).string() \
                   << " (set ECGTORCH_DATA_DIR to the folder holding ptbxl/, mitdb/, ...)";             \
    }                                                                                                   \
  } while (false)

/// The message of the exception `fn` throws ("" if none); fails the test if none.
template <class E = std::exception>
std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an exception";
  return "";
}

}  // namespace ecg::testing

#define EXPECT_ERROR_HAS(stmt, substring)                                       \
  do {                                                                          \
    const std::string ecg_msg_ = ::ecg::testing::error_of([&] { stmt; });       \
    EXPECT_NE(ecg_msg_.find(substring), std::string::npos)                      \
        << "message: " << ecg_msg_ << "\nexpected to contain: " << (substring); \
  } while (false)
