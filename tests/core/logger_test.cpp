#include "core/logger.h"

#include <gtest/gtest.h>

#include <sstream>

#include "core/atomic_file.h"
#include "test_util.h"

namespace ecg {
namespace {

TEST(Logger, FiltersByLevelAndRank) {
  std::ostringstream out;
  Logger log(LogLevel::kInfo, 0, &out);
  log.debug("hidden");
  log.info("step ", 3, " loss ", 0.5);
  log.warning("careful");
  EXPECT_EQ(out.str().find("hidden"), std::string::npos);
  EXPECT_NE(out.str().find("INFO step 3 loss 0.5\n"), std::string::npos);
  EXPECT_NE(out.str().find("WARNING careful\n"), std::string::npos);

  std::ostringstream other;
  Logger rank1(LogLevel::kDebug, 1, &other);
  rank1.info("not on rank 1");
  rank1.error("boom");
  EXPECT_EQ(other.str().find("not on rank 1"), std::string::npos);
  EXPECT_NE(other.str().find("[rank 1] ERROR boom"), std::string::npos);
}

TEST(Logger, AlsoWritesTheLogFile) {
  ecg::testing::TempDir tmp;
  std::ostringstream out;
  Logger log(LogLevel::kInfo, 0, &out);
  log.attach_file(tmp / "log.txt");
  log.info("to both");
  EXPECT_NE(read_file(tmp / "log.txt").find("INFO to both"), std::string::npos);
  EXPECT_ERROR_HAS(log.attach_file("/no/such/dir/log.txt"), "/no/such/dir/log.txt: cannot open log file");
}

TEST(Logger, ParsesLevels) {
  EXPECT_EQ(parse_log_level("debug"), LogLevel::kDebug);
  EXPECT_EQ(parse_log_level("error"), LogLevel::kError);
  EXPECT_ERROR_HAS(parse_log_level("trace"), "unknown log level 'trace'");
}

}  // namespace
}  // namespace ecg
