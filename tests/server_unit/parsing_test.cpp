// Parsers of untrusted input: usernames, Authorization headers, JSON bodies,
// durations. Each bad input gives a clear error and never throws.
#include <gtest/gtest.h>

#include "auth/basic_auth.hpp"
#include "common/encoding.hpp"
#include "config/duration.hpp"
#include "directory/json_requests.hpp"
#include "directory/username.hpp"
#include "hush/keys.hpp"
#include "support/deterministic.hpp"

namespace hush::server {
namespace {

TEST(UsernameTest, AcceptsTheDocumentedAlphabet) {
  EXPECT_TRUE(validate_username("bob").ok());
  EXPECT_TRUE(validate_username("alice.smith-2_x").ok());
  EXPECT_TRUE(validate_username(std::string(32, 'a')).ok());
}

TEST(UsernameTest, RejectsWithAReason) {
  for (std::string_view bad : {"ab", "", "1bob", "_bob", "Bob", "bo b", "bob!", "böb", "bob\n"}) {
    auto r = validate_username(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.code(), Errc::bad_request);
    EXPECT_FALSE(r.error().message.empty());
  }
  EXPECT_FALSE(validate_username(std::string(33, 'a')).ok());
  EXPECT_NE(validate_username("1bob").error().message.find("start with"), std::string::npos);
}

std::string basic(std::string_view user_part, ByteView secret) {
  std::string plain = std::string(user_part) + ":" + base64_encode(secret);
  return "Basic " + base64_encode(as_bytes(plain));
}

TEST(BasicAuthTest, ParsesUserDeviceAndSecret) {
  init_crypto();
  Bytes secret(32, 7);
  auto c = parse_basic_auth(basic("alice.smith.3", secret));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->username, "alice.smith");  // the device id follows the last dot
  EXPECT_EQ(c->device_id, 3u);
  EXPECT_TRUE(ct_equal(c->secret.view(), secret));
  EXPECT_TRUE(parse_basic_auth("basic " + basic("bob.1", secret).substr(6)));  // scheme is case-insensitive
}

TEST(BasicAuthTest, RejectsMalformedHeaders) {
  Bytes secret(32, 7);
  EXPECT_FALSE(parse_basic_auth(""));
  EXPECT_FALSE(parse_basic_auth("Bearer abc"));
  EXPECT_FALSE(parse_basic_auth("Basic !!!notbase64"));
  EXPECT_FALSE(parse_basic_auth("Basic " + base64_encode(as_bytes(std::string_view("bob.1")))));  // no colon
  EXPECT_FALSE(parse_basic_auth(basic("bob", secret)));     // no device
  EXPECT_FALSE(parse_basic_auth(basic("bob.0", secret)));   // device 0
  EXPECT_FALSE(parse_basic_auth(basic("bob.x", secret)));
  EXPECT_FALSE(parse_basic_auth(basic("bob.01", secret)));
  EXPECT_FALSE(parse_basic_auth(basic(".1", secret)));
  EXPECT_FALSE(parse_basic_auth(basic("bob.99999999999", secret)));
  EXPECT_FALSE(parse_basic_auth(basic("bob.1", Bytes(31, 1))));  // secret must be 32 bytes
  EXPECT_FALSE(parse_basic_auth(basic("bob.1", Bytes(33, 1))));
  EXPECT_FALSE(parse_basic_auth("Basic " + std::string(600, 'A')));
}

TEST(Base64Test, StrictRoundTrip) {
  Bytes data = {0, 1, 2, 250, 255};
  EXPECT_EQ(*base64_decode(base64_encode(data)), data);
  EXPECT_FALSE(base64_decode("AAE"));      // missing padding
  EXPECT_FALSE(base64_decode("AA E="));    // whitespace
  EXPECT_FALSE(base64_decode("AA-_"));     // URL alphabet
  EXPECT_TRUE(base64_decode("")->empty());
}

TEST(DurationTest, UnitsAndErrors) {
  EXPECT_EQ(*parse_duration("7d"), std::chrono::seconds(7 * 86400));
  EXPECT_EQ(*parse_duration("12h"), std::chrono::seconds(12 * 3600));
  EXPECT_EQ(*parse_duration("90m"), std::chrono::seconds(90 * 60));
  EXPECT_EQ(*parse_duration("45"), std::chrono::seconds(45));
  for (std::string_view bad : {"", "d", "0d", "-1d", "7w", "1.5h", "99999999999d"}) EXPECT_FALSE(parse_duration(bad)) << bad;
}

// --- JSON bodies ------------------------------------------------------------

class JsonRequestTest : public ::testing::Test {
 protected:
  void SetUp() override { init_crypto(); }
  std::string key_b64() {
    test::DeterministicRng rng(1);
    auto k = KeyPair::generate(rng).public_key.serialize();
    return base64_encode(k);
  }
  std::string secret_b64() { return base64_encode(Bytes(32, 9)); }
};

TEST_F(JsonRequestTest, RegisterAccountParses) {
  const std::string body = R"({"username":"bob","identity_key":")" + key_b64() +
                           R"(","registration_id":77,"device_secret":")" + secret_b64() + R"(","invite":"tok"})";
  auto r = parse_register_account(body);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->username, "bob");
  EXPECT_EQ(r->registration_id, 77u);
  EXPECT_EQ(*r->invite, "tok");
  EXPECT_EQ(r->identity_key.size(), 33u);
  EXPECT_EQ(r->secret_hash, sha256(Bytes(32, 9)));
}

TEST_F(JsonRequestTest, RegisterAccountErrorsNameTheField) {
  const std::string key = key_b64(), secret = secret_b64();
  struct Case {
    std::string body;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {"", "not valid JSON"},
      {"[1]", "JSON object"},
      {"{\"username\":\"\xff\xfe\"}", "not valid JSON"},  // invalid UTF-8
      {R"({"identity_key":")" + key + R"(","registration_id":1,"device_secret":")" + secret + R"("})", "'username' is required"},
      {R"({"username":5})", "'username' must be a string"},
      {R"({"username":"bob","identity_key":"AAAA","registration_id":1,"device_secret":")" + secret + R"("})", "'identity_key' must decode to 33"},
      {R"({"username":"bob","identity_key":"not base64!","registration_id":1})", "'identity_key' must be standard"},
      {R"({"username":"bob","identity_key":")" + base64_encode(Bytes(33, 0)) + R"(","registration_id":1})", "not a valid public key"},
      {R"({"username":"bob","identity_key":")" + key + R"(","registration_id":"1"})", "'registration_id' must be an integer"},
      {R"({"username":"bob","identity_key":")" + key + R"(","registration_id":0})", "'registration_id' must be between"},
      {R"({"username":"bob","identity_key":")" + key + R"(","registration_id":-4})", "'registration_id' must be between"},
      {R"({"username":"bob","identity_key":")" + key + R"(","registration_id":1.5})", "must be an integer"},
      {R"({"username":"bob","identity_key":")" + key + R"(","registration_id":1,"device_secret":"AAAA"})", "'device_secret' must decode to 32"},
      {R"({"username":"bob","invite":7})", "'invite' must be a string"},
  };
  for (const auto& c : cases) {
    auto r = parse_register_account(c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.code(), Errc::bad_request);
    EXPECT_NE(r.error().message.find(c.expect), std::string::npos) << c.body << " -> " << r.error().message;
  }
}

TEST_F(JsonRequestTest, AddDeviceAndSignedPreKey) {
  EXPECT_TRUE(parse_add_device(R"({"registration_id":5,"device_secret":")" + secret_b64() + "\"}").ok());
  EXPECT_FALSE(parse_add_device(R"({"registration_id":5})").ok());
  const std::string sig = base64_encode(Bytes(64, 1));
  EXPECT_TRUE(parse_signed_prekey(R"({"key_id":1,"public_key":")" + key_b64() + R"(","signature":")" + sig + "\"}").ok());
  auto short_sig = parse_signed_prekey(R"({"key_id":1,"public_key":")" + key_b64() + R"(","signature":"AAAA"})");
  ASSERT_FALSE(short_sig.ok());
  EXPECT_NE(short_sig.error().message.find("'signature'"), std::string::npos);
  EXPECT_FALSE(parse_signed_prekey(R"({"key_id":16777216,"public_key":")" + key_b64() + R"(","signature":")" + sig + "\"}").ok());
}

TEST_F(JsonRequestTest, PreKeysBatchLimits) {
  auto batch = [&](int n, bool duplicate = false) {
    std::string s = R"({"prekeys":[)";
    for (int i = 0; i < n; ++i) {
      if (i) s += ',';
      s += R"({"key_id":)" + std::to_string(duplicate ? 1 : i) + R"(,"public_key":")" + key_b64() + "\"}";
    }
    return s + "]}";
  };
  auto ok = parse_prekeys(batch(100), 100);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->prekeys.size(), 100u);
  EXPECT_NE(parse_prekeys(batch(101), 100).error().message.find("at most 100"), std::string::npos);
  EXPECT_NE(parse_prekeys(batch(0), 100).error().message.find("must not be empty"), std::string::npos);
  EXPECT_NE(parse_prekeys(batch(2, true), 100).error().message.find("twice"), std::string::npos);
  EXPECT_FALSE(parse_prekeys(R"({"prekeys":{}})", 100).ok());
  EXPECT_FALSE(parse_prekeys(R"({"prekeys":[1]})", 100).ok());
}

}  // namespace
}  // namespace hush::server
