#include "core/sha256.h"

#include <gtest/gtest.h>

#include "test_util.h"

TEST(Sha256, KnownVectorsAndStreaming) {
  EXPECT_EQ(ecg::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ecg::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  ecg::Sha256 h;
  h.update(msg.data(), 10);
  h.update(msg.data() + 10, msg.size() - 10);
  EXPECT_EQ(h.hex(), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  h.update("abc", 3);  // hex() started a new digest
  EXPECT_EQ(h.hex(), ecg::sha256_hex("abc"));
  ecg::testing::TempDir d;
  EXPECT_EQ(ecg::sha256_file(d.write("f", msg)), ecg::sha256_hex(msg));
  EXPECT_ERROR_HAS(ecg::sha256_file(d / "missing"), "missing: cannot open: No such file or directory");
}
