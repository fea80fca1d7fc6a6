#pragma once
// Kaggle API credentials, found the way the kaggle CLI finds them.
//
//   KaggleCredentialEnv env = kaggle_env_from_process();
//   std::vector<std::string> warnings;
//   HttpAuth auth = kaggle_auth(env, &warnings);
//
// Order: a bearer token (KAGGLE_API_TOKEN, or the file `access_token` in the config
// directory); then KAGGLE_USERNAME + KAGGLE_KEY; then kaggle.json ({"username": ...,
// "key": ...}) in KAGGLE_CONFIG_DIR or ~/.kaggle. A kaggle.json that group or others may
// read gives a warning, as the kaggle CLI does. Errors never print the key.

#include <string>
#include <vector>

#include "datamgr/http_fetch.h"

namespace ecg::datamgr {

struct KaggleCredentialEnv {
  std::string home;        // $HOME
  std::string config_dir;  // $KAGGLE_CONFIG_DIR (empty: ~/.kaggle)
  std::string username;    // $KAGGLE_USERNAME
  std::string key;         // $KAGGLE_KEY
  std::string token;       // $KAGGLE_API_TOKEN
};

KaggleCredentialEnv kaggle_env_from_process();

/// Throws ecg::Error listing the three ways to give credentials when none is found.
HttpAuth kaggle_auth(const KaggleCredentialEnv& env, std::vector<std::string>* warnings);

}  // namespace ecg::datamgr
