#include "datamgr/kaggle_auth.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/strings.h"

namespace fs = std::filesystem;

namespace ecg::datamgr {
namespace {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

KaggleCredentialEnv kaggle_env_from_process() {
  return {env_or_empty("HOME"), env_or_empty("KAGGLE_CONFIG_DIR"), env_or_empty("KAGGLE_USERNAME"),
          env_or_empty("KAGGLE_KEY"), env_or_empty("KAGGLE_API_TOKEN")};
}

HttpAuth kaggle_auth(const KaggleCredentialEnv& env, std::vector<std::string>* warnings) {
  const fs::path dir = !env.config_dir.empty() ? fs::path(env.config_dir) : fs::path(env.home) / ".kaggle";
  HttpAuth auth;
  if (!trim(env.token).empty()) {
    return {HttpAuth::Kind::kBearer, "", trim(env.token), "bearer token from KAGGLE_API_TOKEN"};
  }
  std::error_code ec;
  if (const fs::path token_file = dir / "access_token"; fs::is_regular_file(token_file, ec)) {
    const std::string token = trim(read_file(token_file));
    ECG_CHECK(!token.empty(), token_file.string(), ": empty token file");
    return {HttpAuth::Kind::kBearer, "", token, "bearer token from " + token_file.string()};
  }
  if (!env.username.empty() || !env.key.empty()) {
    ECG_CHECK(!env.username.empty() && !env.key.empty(),
              "Kaggle credentials: set both KAGGLE_USERNAME and KAGGLE_KEY (only one is set)");
    return {HttpAuth::Kind::kBasic, env.username, env.key,
            "user '" + env.username + "' from KAGGLE_USERNAME/KAGGLE_KEY"};
  }
  const fs::path json_file = dir / "kaggle.json";
  ECG_CHECK(fs::is_regular_file(json_file, ec),
            "no Kaggle credentials: set KAGGLE_USERNAME and KAGGLE_KEY, or put kaggle.json (from your Kaggle "
            "account page) in ",
            dir.string(), ", or set KAGGLE_API_TOKEN");
  struct stat st {};
  if (::stat(json_file.c_str(), &st) == 0 && (st.st_mode & 077) != 0 && warnings) {
    warnings->push_back(str(json_file.string(), " is readable by other users; run: chmod 600 ", json_file.string()));
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(json_file));
  } catch (const nlohmann::json::exception&) {
    throw Error(str(json_file.string(), ": expected JSON {\"username\": ..., \"key\": ...}"));
  }
  ECG_CHECK(
      j.is_object() && j.contains("username") && j["username"].is_string() && j.contains("key") && j["key"].is_string(),
      json_file.string(), ": expected JSON {\"username\": ..., \"key\": ...}");
  return {HttpAuth::Kind::kBasic, j["username"].get<std::string>(), j["key"].get<std::string>(),
          "user '" + j["username"].get<std::string>() + "' from " + json_file.string()};
}

}  // namespace ecg::datamgr
