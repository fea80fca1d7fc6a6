#pragma once
// Errors for ecgtorch. ECG_CHECK is for anything a user can cause (bad config, data,
// shapes, files): it throws ecg::Error whose what() is one line meant for the user.
// ECG_INTERNAL_ASSERT is for broken invariants (a bug in ecgtorch), in every build type.
//
//   ECG_CHECK(x.dim() == 3, "ResNet1d: expected [batch, leads, samples], got ", x.dim(), " dims");

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace ecg {

/// A user-facing error. what() is the message alone (no source location), so tools can
/// print it as `ecgtorch: error: <what>`; the throwing source location is kept apart.
class Error : public std::runtime_error {
 public:
  Error(std::string message, const char* source_file = "", int source_line = 0)
      : std::runtime_error(std::move(message)), source_file_(source_file), source_line_(source_line) {}
  const char* source_file() const noexcept { return source_file_; }
  int source_line() const noexcept { return source_line_; }

 private:
  const char* source_file_;
  int source_line_;
};

/// Concatenates streamable parts: str("a", 1, 'b') == "a1b".
template <class... Parts>
std::string str(const Parts&... parts) {
  std::ostringstream os;
  (os << ... << parts);
  return os.str();
}

}  // namespace ecg

#define ECG_CHECK(cond, ...)                                           \
  do {                                                                 \
    if (!(cond)) {                                                     \
      throw ::ecg::Error(::ecg::str(__VA_ARGS__), __FILE__, __LINE__); \
    }                                                                  \
  } while (false)

#define ECG_INTERNAL_ASSERT(cond, ...)                                                                         \
  do {                                                                                                         \
    if (!(cond)) {                                                                                             \
      throw std::logic_error(                                                                                  \
          ::ecg::str("internal error at ", __FILE__, ":", __LINE__, ": ", #cond, " failed. ", ##__VA_ARGS__)); \
    }                                                                                                          \
  } while (false)
