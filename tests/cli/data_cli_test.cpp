// `ecgtorch data download|manifest|verify|diff|check-pairs` end to end: exit statuses,
// messages, and a download killed mid-file then resumed.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "core/atomic_file.h"
#include "core/sha256.h"
#include "datamgr/http_test_server.h"
#include "test_util.h"

namespace fs = std::filesystem;
using ecg::testing::HttpRequest;
using ecg::testing::HttpResponse;
using ecg::testing::HttpTestServer;
using ecg::testing::run_cli;
using ecg::testing::TempDir;

TEST(DataCli, ManifestVerifyAndDiff) {
  TempDir d;
  d.write("tree/a.hea", "header");
  d.write("tree/a.dat", std::string(1000, 'x'));
  auto r = run_cli({"data", "manifest", (d / "tree").string(), "-o", (d / "m1.json").string(), "-q"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("2 files, "), std::string::npos) << r.err;
  r = run_cli({"data", "verify", (d / "tree").string(), "--manifest", (d / "m1.json").string(), "--cache",
               (d / "cache.json").string(), "-q"});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("OK: 2 files checked"), std::string::npos) << r.out;

  d.write("tree/a.dat", std::string(999, 'x') + "y");  // one corrupted byte
  r = run_cli({"data", "verify", (d / "tree").string(), "--manifest", (d / "m1.json").string(), "--cache",
               (d / "cache.json").string(), "--json"});
  EXPECT_EQ(r.status, 1);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["modified"][0]["path"], "a.dat");

  r = run_cli({"data", "manifest", (d / "tree").string(), "-o", (d / "m2.json").string(), "-q"});
  ASSERT_EQ(r.status, 0);
  r = run_cli({"data", "diff", (d / "m1.json").string(), (d / "m2.json").string()});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "a\n  M a.dat\n1 records changed: 0 files added, 0 removed, 1 modified, 1 unchanged\n");
  r = run_cli({"data", "diff", (d / "m1.json").string(), (d / "tree").string(), "--exit-code", "--json"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(nlohmann::json::parse(r.out)["summary"]["modified"], 1);

  r = run_cli({"data", "verify", (d / "tree").string()});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("give exactly one of --manifest FILE or --sha256sums FILE"), std::string::npos) << r.err;
  d.write("bad.txt", "not a sums line\n");
  r = run_cli({"data", "verify", (d / "tree").string(), "--sha256sums", (d / "bad.txt").string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("bad.txt:1: expected '<64 hex digits>  <path>'"), std::string::npos) << r.err;
}

TEST(DataCli, VerifySharedDataWithItsSha256sums) {
  ECG_REQUIRE_SHARED_DATA("SHA256SUMS.txt");
  const fs::path root = ecg::testing::shared_data_dir();
  TempDir d;
  const auto r = run_cli({"data", "verify", root.string(), "--sha256sums", (root / "SHA256SUMS.txt").string(),
                          "--cache", (d / "c.json").string(), "-q"});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("0 missing, 0 modified, 0 extra"), std::string::npos) << r.out;
}

TEST(DataCli, DownloadKilledMidFileResumesWithRange) {
  std::string body(1 << 20, '\0');
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>((i * 7919) >> 3);
  const std::string sums = ecg::sha256_hex(body) + "  records/big.dat\n";
  HttpTestServer server([&](const HttpRequest& r) {
    if (r.path == "/db/1.0/SHA256SUMS.txt") return ecg::testing::serve_bytes(r, sums);
    HttpResponse resp = ecg::testing::serve_bytes(r, body);
    resp.chunk_delay_ms = 20;  // about 1.3 s for the whole file
    return resp;
  });
  TempDir d;
  std::vector<std::string> args = {"data", "download", "physionet:db/1.0", "--dest", (d / "db").string(), "-q"};
  // The mirror comes from the environment the first time, from --base-url the second.
  const pid_t pid = ecg::testing::spawn_cli(args, d / "out", d / "err", {"ECGTORCH_PHYSIONET_URL=" + server.url()});
  const fs::path part = d / "db/records/big.dat.part";
  for (int i = 0; i < 400; ++i) {
    std::error_code ec;
    if (fs::file_size(part, ec) > 200000 && !ec) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ecg::testing::wait_status(pid);
  const auto have = fs::file_size(part);
  ASSERT_GT(have, 200000u);
  ASSERT_LT(have, body.size());
  EXPECT_FALSE(fs::exists(d / "db/records/big.dat"));

  args.insert(args.end(), {"--base-url", server.url()});
  const auto r = run_cli(args);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("physionet:db/1.0: 1 downloaded, 0 already valid, 0 failed"), std::string::npos) << r.out;
  EXPECT_EQ(server.requests().back().header("range"), "bytes=" + std::to_string(have) + "-");
  EXPECT_EQ(ecg::read_file(d / "db/records/big.dat"), body);
  EXPECT_FALSE(fs::exists(part));
}

TEST(DataCli, DownloadErrorsAndUsage) {
  HttpTestServer server([&](const HttpRequest&) { return HttpResponse{404, {}, "", -1}; });
  TempDir d;
  auto r = run_cli({"data", "download", "url:" + server.url("/x/missing.zip") + "#sha256=" + std::string(64, 'a'),
                    "--dest", (d / "u").string(), "-q"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("missing.zip: not found on the server (HTTP 404"), std::string::npos) << r.err;
  r = run_cli({"data", "download", "ftp:thing", "--dest", (d / "u").string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("source 'ftp:thing': unknown kind 'ftp'"), std::string::npos) << r.err;
  r = run_cli({"data", "download", "physionet:ptb-xl/1.0.3"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--dest"), std::string::npos) << r.err;
  r = run_cli(
      {"data", "download", "kaggle:some-competition", "--dest", (d / "k").string(), "--base-url", server.url()},
      {"HOME=" + d.path().string(), "KAGGLE_USERNAME=", "KAGGLE_KEY=", "KAGGLE_API_TOKEN=", "KAGGLE_CONFIG_DIR="});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("no Kaggle credentials"), std::string::npos) << r.err;
}

TEST(DataCli, CheckPairsExitStatus) {
  TempDir d;
  d.write("k/train.csv", "id,fs,sig_len\n1,500,5000\n");
  auto r = run_cli({"data", "check-pairs", (d / "k").string(), "--layout", "kaggle"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("train/1: the signal train/1/1.csv is missing"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAILED: 1 records, 2 problems"), std::string::npos) << r.out;
  r = run_cli({"data", "check-pairs", (d / "k").string(), "--layout", "tsv"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("unknown layout 'tsv'"), std::string::npos) << r.err;
}
