// Downloads against a local HTTP server: resume, corruption, retries, errors, auth.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/sha256.h"
#include "datamgr/http_fetch.h"
#include "datamgr/http_test_server.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace ecg::datamgr;
using ecg::testing::HttpRequest;
using ecg::testing::HttpResponse;
using ecg::testing::HttpTestServer;
using ecg::testing::serve_bytes;

namespace {

std::string content_of(size_t n, unsigned seed = 7) {
  std::string s(n, '\0');
  uint32_t x = seed;
  for (auto& c : s) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

FetchOptions fast_options() {
  FetchOptions o;
  o.backoff_initial_s = 0.01;
  o.backoff_max_s = 0.05;
  o.jitter_seed = 1;
  o.max_attempts = 4;
  return o;
}

fs::path temp_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("ecgtorch_fetch_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

}  // namespace

TEST(Fetch, DownloadsVerifiesAndSkipsValidFiles) {
  const std::string a = content_of(200000, 1), b = content_of(1000, 2);
  HttpTestServer server([&](const HttpRequest& r) { return serve_bytes(r, r.path == "/a.bin" ? a : b); });
  const fs::path dir = temp_dir("basic");
  const std::vector<FetchItem> items = {{server.url("/a.bin"), dir / "a.bin", ecg::sha256_hex(a), ""},
                                        {server.url("/sub/b.bin"), dir / "sub/b.bin", ecg::sha256_hex(b), ""}};
  auto out = fetch_files(items, fast_options());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].status, FetchOutcome::Status::kDownloaded) << out[0].error;
  EXPECT_EQ(out[1].status, FetchOutcome::Status::kDownloaded) << out[1].error;
  EXPECT_EQ(out[0].bytes, 200000);
  EXPECT_EQ(ecg::read_file(dir / "a.bin"), a);
  EXPECT_EQ(ecg::read_file(dir / "sub/b.bin"), b);
  EXPECT_FALSE(fs::exists(dir / "a.bin.part"));
  // A second run finds both valid and makes no request.
  const size_t before = server.requests().size();
  out = fetch_files(items, fast_options());
  EXPECT_EQ(out[0].status, FetchOutcome::Status::kAlreadyValid);
  EXPECT_EQ(out[1].status, FetchOutcome::Status::kAlreadyValid);
  EXPECT_EQ(server.requests().size(), before);
  fs::remove_all(dir);
}

TEST(Fetch, InterruptedTransferResumesWithRange) {
  const std::string a = content_of(300000);
  std::atomic<int> calls{0};
  HttpTestServer server([&](const HttpRequest& r) {
    HttpResponse resp = serve_bytes(r, a);
    if (calls++ == 0) resp.close_after_bytes = 123457;  // the connection drops mid-body
    return resp;
  });
  const fs::path dir = temp_dir("resume");
  const auto out = fetch_files({{server.url("/a.bin"), dir / "a.bin", ecg::sha256_hex(a), ""}}, fast_options());
  EXPECT_EQ(out[0].status, FetchOutcome::Status::kDownloaded) << out[0].error;
  EXPECT_EQ(out[0].attempts, 2);
  EXPECT_EQ(ecg::read_file(dir / "a.bin"), a);
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].header("range"), "");
  EXPECT_EQ(reqs[1].header("range"), "bytes=123457-");
  EXPECT_EQ(out[0].bytes, 300000);  // nothing fetched twice
  fs::remove_all(dir);
}

TEST(Fetch, PartFromAnEarlierRunIsResumed) {
  const std::string a = content_of(50000);
  HttpTestServer server([&](const HttpRequest& r) { return serve_bytes(r, a); });
  const fs::path dir = temp_dir("part");
  ecg::write_file_atomic(dir / "a.bin.part", a.substr(0, 20000));
  const auto out = fetch_files({{server.url("/a.bin"), dir / "a.bin", ecg::sha256_hex(a), ""}}, fast_options());
  EXPECT_EQ(out[0].status, FetchOutcome::Status::kDownloaded) << out[0].error;
  EXPECT_EQ(server.requests().at(0).header("range"), "bytes=20000-");
  EXPECT_EQ(out[0].bytes, 30000);
  EXPECT_EQ(ecg::read_file(dir / "a.bin"), a);
  fs::remove_all(dir);
}

TEST(Fetch, ServerIgnoringRangeRestartsTheFile) {
  const std::string a = content_of(50000);
  HttpTestServer server([&](const HttpRequest&) { return HttpResponse{200, {}, a, -1}; });
  const fs::path dir = temp_dir("norange");
  ecg::write_file_atomic(dir / "a.bin.part", std::string(20000, 'x'));  // wrong bytes, too
  const auto out = fetch_files({{server.url("/a.bin"), dir / "a.bin", ecg::sha256_hex(a), ""}}, fast_options());
  EXPECT_EQ(out[0].status, FetchOutcome::Status::kDownloaded) << out[0].error;
  EXPECT_EQ(ecg::read_file(dir / "a.bin"), a);
  fs::remove_all(dir);
}

TEST(Fetch, CorruptedByteIsDetectedDeletedAndRetried) {
  const std::string a = content_of(40000);
  std::string bad = a;
  bad[31337] ^= 0x20;
  std::atomic<int> calls{0};
  HttpTestServer server([&](const HttpRequest& r) { return serve_bytes(r, calls++ == 0 ? bad : a); });
  const fs::path dir = temp_dir("corrupt");
  const auto out = fetch_files({{server.url("/a.bin"), dir / "a.bin", ecg::sha256_hex(a), ""}}, fast_options());
  EXPECT_EQ(out[0].status, FetchOutcome::Status::kDownloaded) << out[0].error;
  EXPECT_EQ(out[0].attempts, 2);
  EXPECT_EQ(server.requests().at(1).header("range"), "");  // the bad part was deleted, not resumed
  EXPECT_EQ(ecg::read_file(dir / "a.bin"), a);
  fs::remove_all(dir);
}

TEST(Fetch, PersistentCorruptionFailsNamingBothHashes) {
  const std::string a = content_of(40000);
  std::string bad = a;
  bad[5] ^= 1;
  HttpTestServer server([&](const HttpRequest& r) { return serve_bytes(r, bad); });
  const fs::path dir = temp_dir("badhash");
  const auto out =
      fetch_files({{server.url("/x/a.bin"), dir / "a.bin", ecg::sha256_hex(a), "x/a.bin"}}, fast_options());
  ASSERT_EQ(out[0].status, FetchOutcome::Status::kFailed);
  EXPECT_EQ(out[0].attempts, 4);
  EXPECT_NE(out[0].error.find("sha256 mismatch for x/a.bin: got " + ecg::sha256_hex(bad) + ", expected " +
                              ecg::sha256_hex(a)),
            std::string::npos)
      << out[0].error;
  EXPECT_FALSE(fs::exists(dir / "a.bin"));
  EXPECT_FALSE(fs::exists(dir / "a.bin.part"));
  fs::remove_all(dir);
}

TEST(Fetch, ServiceUnavailableHonoursRetryAfter) {
  const std::string a = content_of(1000);
  std::atomic<int> calls{0};
  HttpTestServer server([&](const HttpRequest& r) {
    if (calls++ == 0) return HttpResponse{503, {{"Retry-After", "1"}}, "busy", -1};
    return serve_bytes(r, a);
  });
  const fs::path dir = temp_dir("503");
  const auto t0 = std::chrono::steady_clock::now();
  const auto out = fetch_files({{server.url("/a.bin"), dir / "a.bin", ecg::sha256_hex(a), ""}}, fast_options());
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(out[0].status, FetchOutcome::Status::kDownloaded) << out[0].error;
  EXPECT_EQ(out[0].attempts, 2);
  EXPECT_GE(s, 0.95);  // the backoff alone would be 10 ms
  EXPECT_EQ(ecg::read_file(dir / "a.bin"), a);
  fs::remove_all(dir);
}

TEST(Fetch, TooManyRequestsExhaustsAttempts) {
  HttpTestServer server([&](const HttpRequest&) { return HttpResponse{429, {}, "slow down", -1}; });
  const fs::path dir = temp_dir("429");
  const auto out = fetch_files({{server.url("/a.bin"), dir / "a.bin", "", "a.bin"}}, fast_options());
  ASSERT_EQ(out[0].status, FetchOutcome::Status::kFailed);
  EXPECT_EQ(server.requests().size(), 4u);
  EXPECT_NE(out[0].error.find("gave up after 4 attempts: HTTP 429"), std::string::npos) << out[0].error;
  EXPECT_FALSE(fs::exists(dir / "a.bin"));
  fs::remove_all(dir);
}

TEST(Fetch, BadCredentialsGiveOneLineWithoutTheKey) {
  HttpTestServer server([&](const HttpRequest&) { return HttpResponse{401, {}, "Unauthorized", -1}; });
  const fs::path dir = temp_dir("401");
  FetchOptions o = fast_options();
  o.auth = {HttpAuth::Kind::kBasic, "alice", "s3cr3t-key", "user 'alice' from KAGGLE_USERNAME/KAGGLE_KEY"};
  const auto out = fetch_files({{server.url("/a.zip"), dir / "a.zip", "", ""}}, o);
  ASSERT_EQ(out[0].status, FetchOutcome::Status::kFailed);
  EXPECT_EQ(server.requests().size(), 1u);  // not retried
  EXPECT_EQ(server.requests()[0].header("authorization"), "Basic YWxpY2U6czNjcjN0LWtleQ==");
  EXPECT_NE(out[0].error.find("HTTP 401 from 127.0.0.1 for a.zip: the credentials were refused"), std::string::npos)
      << out[0].error;
  EXPECT_NE(out[0].error.find("KAGGLE_USERNAME"), std::string::npos);
  EXPECT_EQ(out[0].error.find("s3cr3t"), std::string::npos);
  EXPECT_EQ(out[0].error.find('\n'), std::string::npos);
  fs::remove_all(dir);
}

TEST(Fetch, NotFoundNamesTheFile) {
  HttpTestServer server([&](const HttpRequest&) { return HttpResponse{404, {}, "no", -1}; });
  const fs::path dir = temp_dir("404");
  const auto out = fetch_files({{server.url("/records/x.dat"), dir / "x.dat", "", "records/x.dat"}}, fast_options());
  ASSERT_EQ(out[0].status, FetchOutcome::Status::kFailed);
  EXPECT_NE(out[0].error.find("records/x.dat: not found on the server (HTTP 404"), std::string::npos) << out[0].error;
  EXPECT_FALSE(fs::exists(dir / "x.dat.part"));
  fs::remove_all(dir);
}

TEST(Fetch, RedirectToAnotherHostDropsTheCredentials) {
  const std::string a = content_of(5000);
  HttpTestServer storage([&](const HttpRequest& r) { return serve_bytes(r, a); });
  HttpTestServer api([&](const HttpRequest&) {
    // "localhost" is another host name than "127.0.0.1" for libcurl.
    return HttpResponse{
        302, {{"Location", "http://localhost:" + std::to_string(storage.port()) + "/signed?sig=1"}}, "", -1};
  });
  const fs::path dir = temp_dir("redirect");
  for (auto kind : {HttpAuth::Kind::kBasic, HttpAuth::Kind::kBearer}) {
    FetchOptions o = fast_options();
    o.auth = {kind, "alice", "s3cr3t", ""};
    fs::remove(dir / "a.zip");
    const auto out = fetch_files({{api.url("/download-all/x"), dir / "a.zip", ecg::sha256_hex(a), ""}}, o);
    EXPECT_EQ(out[0].status, FetchOutcome::Status::kDownloaded) << out[0].error;
    EXPECT_NE(api.requests().back().header("authorization"), "");
    EXPECT_EQ(storage.requests().back().header("authorization"), "");
    EXPECT_EQ(storage.requests().back().path, "/signed?sig=1");
  }
  EXPECT_EQ(api.requests()[1].header("authorization"), "Bearer s3cr3t");
  fs::remove_all(dir);
}

TEST(Fetch, PlainHttpToARemoteHostIsRefused) {
  try {
    fetch_files({{"http://example.org/a.bin", "/tmp/a.bin", "", ""}}, fast_options());
    FAIL() << "expected an error";
  } catch (const ecg::Error& e) {
    EXPECT_NE(std::string(e.what()).find("refusing plain http:// URL 'http://example.org/a.bin': TLS is required"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(fetch_files({{"ftp://example.org/a.bin", "/tmp/a.bin", "", ""}}, fast_options()), ecg::Error);
}

TEST(Fetch, DiskFullFailsCleanlyAndMarksNothingComplete) {
  const std::string a = content_of(100000);
  HttpTestServer server([&](const HttpRequest& r) { return serve_bytes(r, a); });
  const fs::path dir = temp_dir("enospc");
  FetchOptions o = fast_options();
  // A sink that takes 64 KiB, then fails as a full disk does.
  struct FullDisk : ByteSink {
    explicit FullDisk(std::unique_ptr<ByteSink> inner) : inner(std::move(inner)) {}
    void write(const char* d, size_t n) override {
      if (written + n > 65536) throw ecg::Error("cannot write a.bin.part: No space left on device");
      inner->write(d, n);
      written += n;
    }
    void finish() override { inner->finish(); }
    std::unique_ptr<ByteSink> inner;
    size_t written = 0;
  };
  o.open_sink = [](const fs::path& p, int64_t off) { return std::make_unique<FullDisk>(open_file_sink(p, off)); };
  const auto out = fetch_files({{server.url("/a.bin"), dir / "a.bin", ecg::sha256_hex(a), ""}}, o);
  ASSERT_EQ(out[0].status, FetchOutcome::Status::kFailed);
  EXPECT_EQ(out[0].error, "cannot write a.bin.part: No space left on device");
  EXPECT_EQ(server.requests().size(), 1u);  // not retried
  EXPECT_FALSE(fs::exists(dir / "a.bin"));
  fs::remove_all(dir);
}

TEST(Fetch, UnwritableDestinationIsAClearError) {
  const std::string a = content_of(1000);
  HttpTestServer server([&](const HttpRequest& r) { return serve_bytes(r, a); });
  const fs::path dir = temp_dir("eacces");
  ecg::write_file_atomic(dir / "blocker", "a file where a directory should be");
  const auto out = fetch_files({{server.url("/a.bin"), dir / "blocker/a.bin", ecg::sha256_hex(a), ""}}, fast_options());
  ASSERT_EQ(out[0].status, FetchOutcome::Status::kFailed);
  EXPECT_NE(out[0].error.find("cannot create"), std::string::npos) << out[0].error;
  fs::remove_all(dir);
}

TEST(Fetch, ManyFilesInParallel) {
  std::vector<std::string> contents;
  for (int i = 0; i < 12; ++i) contents.push_back(content_of(10000 + 997 * i, static_cast<unsigned>(i)));
  HttpTestServer server(
      [&](const HttpRequest& r) { return serve_bytes(r, contents.at(std::stoul(r.path.substr(1)))); });
  const fs::path dir = temp_dir("parallel");
  std::vector<FetchItem> items;
  for (int i = 0; i < 12; ++i) {
    items.push_back(
        {server.url("/" + std::to_string(i)), dir / (std::to_string(i) + ".bin"), ecg::sha256_hex(contents[i]), ""});
  }
  FetchOptions o = fast_options();
  o.jobs = 5;
  const auto out = fetch_files(items, o);
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ(out[i].status, FetchOutcome::Status::kDownloaded) << out[i].error;
    EXPECT_EQ(ecg::read_file(items[i].dest), contents[i]);
  }
  fs::remove_all(dir);
}

TEST(Fetch, FetchTextThrowsTheOutcome) {
  HttpTestServer server([&](const HttpRequest& r) {
    if (r.path == "/ok") return HttpResponse{200, {}, "hello", -1};
    return HttpResponse{404, {}, "", -1};
  });
  EXPECT_EQ(fetch_text(server.url("/ok"), "ok", fast_options()), "hello");
  try {
    fetch_text(server.url("/missing"), "SHA256SUMS.txt", fast_options());
    FAIL();
  } catch (const ecg::Error& e) {
    EXPECT_NE(std::string(e.what()).find("SHA256SUMS.txt: not found on the server"), std::string::npos) << e.what();
  }
}

TEST(Fetch, UrlHost) {
  EXPECT_EQ(url_host("https://physionet.org/files/x"), "physionet.org");
  EXPECT_EQ(url_host("http://user:pw@127.0.0.1:8080/a"), "127.0.0.1");
  EXPECT_EQ(url_host("https://[::1]:99/a"), "[::1]");
}
