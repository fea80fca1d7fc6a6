// Source specs, Kaggle credentials, and whole downloads against a local server.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/sha256.h"
#include "datamgr/archive_util.h"
#include "datamgr/download.h"
#include "datamgr/http_test_server.h"
#include "datamgr/manifest.h"
#include "datamgr/verify.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace ecg::datamgr;
using ecg::testing::ArchiveEntrySpec;
using ecg::testing::HttpRequest;
using ecg::testing::HttpResponse;
using ecg::testing::HttpTestServer;
using ecg::testing::serve_bytes;
using ecg::testing::TempDir;

namespace {

DownloadOptions options_for(const fs::path& dest, const std::string& base) {
  DownloadOptions o;
  o.dest = dest;
  o.base_url = base;
  o.fetch.backoff_initial_s = 0.01;
  o.fetch.backoff_max_s = 0.02;
  o.fetch.max_attempts = 3;
  return o;
}

}  // namespace

TEST(Source, ParsesEveryKindAndNamesBadSpecs) {
  auto s = parse_source("physionet:ptb-xl/1.0.3");
  EXPECT_EQ(s.kind, SourceSpec::Kind::kPhysionet);
  EXPECT_EQ(s.db, "ptb-xl");
  EXPECT_EQ(s.version, "1.0.3");
  s = parse_source("kaggle:physionet-ecg-image-digitization");
  EXPECT_EQ(s.kind, SourceSpec::Kind::kKaggleCompetition);
  EXPECT_EQ(s.slug, "physionet-ecg-image-digitization");
  s = parse_source("kaggle-dataset:owner/some-data");
  EXPECT_EQ(s.kind, SourceSpec::Kind::kKaggleDataset);
  const std::string hex(64, 'a');
  s = parse_source("url:https://example.org/x/data.zip?dl=1#sha256=" + hex);
  EXPECT_EQ(s.url, "https://example.org/x/data.zip?dl=1");
  EXPECT_EQ(s.sha256, hex);
  EXPECT_ERROR_HAS(parse_source("physionet:ptb-xl"), "source 'physionet:ptb-xl': expected physionet:<db>/<version>");
  EXPECT_ERROR_HAS(parse_source("physionet:../x/1"), "expected physionet:<db>/<version>");
  EXPECT_ERROR_HAS(parse_source("url:https://example.org/a.zip"), "need '#sha256=<64 hex digits>'");
  EXPECT_ERROR_HAS(parse_source("url:https://example.org/a.zip#sha256=abc"), "64 hex digits");
  EXPECT_ERROR_HAS(parse_source("s3:bucket/x"), "unknown kind 's3'");
  EXPECT_ERROR_HAS(parse_source("nothing"), "expected physionet:<db>/<version>, kaggle:<competition-slug>");
  EXPECT_EQ(url_encode_path("records 100/a+b.dat"), "records%20100/a%2Bb.dat");
}

TEST(KaggleAuth, FindsCredentialsInOrderAndWarnsOnLooseModes) {
  TempDir d;
  KaggleCredentialEnv env;
  env.home = d.path().string();
  std::vector<std::string> warnings;
  EXPECT_ERROR_HAS(kaggle_auth(env, &warnings), "no Kaggle credentials: set KAGGLE_USERNAME and KAGGLE_KEY");

  const auto json = d.write(".kaggle/kaggle.json", R"({"username": "alice", "key": "k1"})");
  ::chmod(json.c_str(), 0644);
  HttpAuth a = kaggle_auth(env, &warnings);
  EXPECT_EQ(a.kind, HttpAuth::Kind::kBasic);
  EXPECT_EQ(a.user, "alice");
  EXPECT_EQ(a.secret, "k1");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("is readable by other users; run: chmod 600"), std::string::npos);
  warnings.clear();
  ::chmod(json.c_str(), 0600);
  kaggle_auth(env, &warnings);
  EXPECT_TRUE(warnings.empty());

  env.username = "bob";
  EXPECT_ERROR_HAS(kaggle_auth(env, &warnings), "set both KAGGLE_USERNAME and KAGGLE_KEY");
  env.key = "k2";
  EXPECT_EQ(kaggle_auth(env, &warnings).user, "bob");
  d.write(".kaggle/access_token", "tok-file\n");
  a = kaggle_auth(env, &warnings);
  EXPECT_EQ(a.kind, HttpAuth::Kind::kBearer);
  EXPECT_EQ(a.secret, "tok-file");
  env.token = "tok-env";
  EXPECT_EQ(kaggle_auth(env, &warnings).secret, "tok-env");

  KaggleCredentialEnv bad;
  bad.config_dir = (d / "cfg").string();
  d.write("cfg/kaggle.json", R"({"user": "x"})");
  EXPECT_ERROR_HAS(kaggle_auth(bad, &warnings), "kaggle.json: expected JSON {\"username\": ..., \"key\": ...}");
}

TEST(Download, PhysionetFetchesTheListedFilesAndVerifies) {
  const std::map<std::string, std::string> files = {{"RECORDS", "records100/00001_lr\n"},
                                                    {"records100/00001_lr.hea", "00001_lr 12 100 1000\n"},
                                                    {"records100/00001_lr.dat", std::string(24000, 'd')},
                                                    {"records500/00001_hr.dat", std::string(120000, 'h')}};
  std::string sums;
  for (const auto& [p, c] : files) sums += ecg::sha256_hex(c) + "  " + p + "\n";
  HttpTestServer server([&](const HttpRequest& r) {
    const std::string prefix = "/files/ptb-xl/1.0.3/";
    if (r.path.rfind(prefix, 0) != 0) return HttpResponse{404, {}, "", -1};
    const std::string p = r.path.substr(prefix.size());
    if (p == "SHA256SUMS.txt") return serve_bytes(r, sums);
    const auto it = files.find(p);
    return it == files.end() ? HttpResponse{404, {}, "", -1} : serve_bytes(r, it->second);
  });
  TempDir d;
  auto o = options_for(d / "ptb-xl", server.url("/files"));
  o.include = {"records100/*", "RECORDS"};
  DownloadReport r = download(parse_source("physionet:ptb-xl/1.0.3"), o);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.downloaded, 3);
  EXPECT_FALSE(fs::exists(d / "ptb-xl/records500/00001_hr.dat"));
  EXPECT_EQ(ecg::read_file(d / "ptb-xl/SHA256SUMS.txt"), sums);
  VerifyOptions v;
  v.include = o.include;
  v.exclude = {d / "ptb-xl/SHA256SUMS.txt"};
  EXPECT_TRUE(verify_tree(d / "ptb-xl", read_manifest(d / "ptb-xl/SHA256SUMS.txt"), v).ok());

  // Everything, again: the three present files are skipped.
  o.include = {};
  r = download(parse_source("physionet:ptb-xl/1.0.3"), o);
  EXPECT_EQ(r.already_valid, 3);
  EXPECT_EQ(r.downloaded, 1);
  EXPECT_EQ(server.count("/files/ptb-xl/1.0.3/records100/00001_lr.dat"), 1u);

  o.include = {"nothing/*"};
  EXPECT_ERROR_HAS(download(parse_source("physionet:ptb-xl/1.0.3"), o), "no file of SHA256SUMS.txt matches --include");
  EXPECT_ERROR_HAS(download(parse_source("physionet:missing-db/1.0"), o), "not found on the server (HTTP 404");
}

TEST(Download, KaggleCompetitionFollowsTheRedirectExtractsAndWritesAManifest) {
  TempDir d;
  ecg::testing::write_archive(d / "bundle.zip",
                              {{"train.csv", "id,fs,sig_len\n7,500,5000\n", ArchiveEntrySpec::Type::kFile, ""},
                               {"train/7/7.csv", "I,II\n", ArchiveEntrySpec::Type::kFile, ""}});
  const std::string zip = ecg::read_file(d / "bundle.zip");
  HttpTestServer storage([&](const HttpRequest& r) { return serve_bytes(r, zip); });
  HttpTestServer api([&](const HttpRequest& r) {
    if (r.header("authorization") != "Basic YWxpY2U6a2V5") return HttpResponse{401, {}, "", -1};
    if (r.path != "/api/v1/competitions/data/download-all/physionet-ecg-image-digitization") {
      return HttpResponse{404, {}, "", -1};
    }
    return HttpResponse{
        302, {{"Location", "http://localhost:" + std::to_string(storage.port()) + "/blob?sig=x"}}, "", -1};
  });
  auto o = options_for(d / "kaggle", api.url("/api/v1"));
  o.kaggle_env.username = "alice";
  o.kaggle_env.key = "key";
  const auto spec = parse_source("kaggle:physionet-ecg-image-digitization");
  DownloadReport r = download(spec, o);
  ASSERT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors[0]);
  EXPECT_EQ(r.extracted, 2);
  EXPECT_EQ(ecg::read_file(d / "kaggle/train/7/7.csv"), "I,II\n");
  EXPECT_FALSE(fs::exists(d / "kaggle/.physionet-ecg-image-digitization.zip"));  // removed once extracted
  const Manifest m = read_manifest(d / "kaggle/ecgtorch-manifest.json");
  EXPECT_EQ(m.source, "kaggle:physionet-ecg-image-digitization");
  ASSERT_EQ(m.files.size(), 2u);
  EXPECT_EQ(m.files[0].path, "train.csv");
  EXPECT_EQ(storage.requests().back().header("authorization"), "");
  VerifyOptions v;
  v.exclude = {d / "kaggle/ecgtorch-manifest.json"};
  EXPECT_TRUE(verify_tree(d / "kaggle", m, v).ok());

  // Complete: not fetched again unless forced.
  const size_t before = api.requests().size();
  r = download(spec, o);
  EXPECT_EQ(r.already_valid, 1);
  EXPECT_EQ(api.requests().size(), before);

  o.force = true;
  o.kaggle_env.key = "wrong-key";
  r = download(spec, o);
  ASSERT_EQ(r.failed, 1);
  EXPECT_NE(r.errors[0].find(
                "HTTP 401 from 127.0.0.1 for physionet-ecg-image-digitization.zip: the credentials were refused"),
            std::string::npos)
      << r.errors[0];
  EXPECT_EQ(r.errors[0].find("wrong-key"), std::string::npos);
}

TEST(Download, KaggleZipWithTraversalIsRefused) {
  TempDir d;
  ecg::testing::write_archive(d / "evil.zip", {{"../../escaped.txt", "x", ArchiveEntrySpec::Type::kFile, ""}});
  const std::string zip = ecg::read_file(d / "evil.zip");
  HttpTestServer api([&](const HttpRequest& r) { return serve_bytes(r, zip); });
  auto o = options_for(d / "k", api.url("/api/v1"));
  o.kaggle_env.token = "t";
  EXPECT_ERROR_HAS(download(parse_source("kaggle-dataset:owner/evil"), o),
                   "entry '../../escaped.txt': '..' leaves the destination");
  EXPECT_EQ(api.requests().at(0).path, "/api/v1/datasets/download/owner/evil");
  EXPECT_FALSE(fs::exists(d / "escaped.txt"));
  EXPECT_FALSE(fs::exists(d / "k/ecgtorch-manifest.json"));
}

TEST(Download, UrlSourceVerifiesTheHash) {
  const std::string body = "a,b\n1,2\n";
  HttpTestServer server([&](const HttpRequest& r) { return serve_bytes(r, body); });
  TempDir d;
  auto o = options_for(d / "u", "");
  auto r = download(parse_source("url:" + server.url("/x/table.csv") + "#sha256=" + ecg::sha256_hex(body)), o);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(ecg::read_file(d / "u/table.csv"), body);
  r = download(parse_source("url:" + server.url("/x/other.csv") + "#sha256=" + std::string(64, '0')), o);
  ASSERT_EQ(r.failed, 1);
  EXPECT_NE(r.errors[0].find("sha256 mismatch for other.csv"), std::string::npos) << r.errors[0];
  EXPECT_FALSE(fs::exists(d / "u/other.csv"));
}
