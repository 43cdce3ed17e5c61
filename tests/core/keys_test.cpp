// Keys in libsignal's formats (facts §1), the memory primitives behind them,
// and libsignal's own answers from interop/vectors/keys.json.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "hush/clock.hpp"
#include "hush/keys.hpp"
#include "hush/prekeys.hpp"
#include "hush/result.hpp"
#include "support/deterministic.hpp"
#include "support/hex.hpp"
#include "support/vectors.hpp"

namespace hush::test {
namespace {


// --- Private keys -----------------------------------------------------------------

TEST(PrivateKeyTest, DeserializeClampsLikeLibsignal) {
  auto k = PrivateKey::deserialize(Bytes(32, 0x01));
  ASSERT_TRUE(k.ok());
  std::string expected = "00";
  for (int i = 0; i < 30; ++i) expected += "01";
  expected += "41";
  EXPECT_EQ(to_hex(k->serialize()), expected);
}

TEST(PrivateKeyTest, ClampIsIdempotentAndSetsExactlyTheRfc7748Bits) {
  std::mt19937 gen(7748);
  for (int i = 0; i < 100; ++i) {
    Bytes in(32);
    for (auto& b : in) b = static_cast<std::uint8_t>(gen());
    auto k = PrivateKey::deserialize(in);
    ASSERT_TRUE(k.ok());
    Bytes out(k->serialize().begin(), k->serialize().end());
    EXPECT_EQ(out[0], in[0] & 0xF8);
    EXPECT_EQ(out[31], (in[31] & 0x7F) | 0x40);
    EXPECT_TRUE(std::equal(out.begin() + 1, out.end() - 1, in.begin() + 1));
    auto again = PrivateKey::deserialize(out);
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(ct_equal(again->serialize(), out));
  }
}

TEST(PrivateKeyTest, RequiresExactly32Bytes) {
  for (std::size_t len : {0, 1, 31, 33, 64}) {
    auto k = PrivateKey::deserialize(Bytes(len, 0x22));
    ASSERT_FALSE(k.ok()) << len;
    EXPECT_EQ(k.code(), Errc::invalid_key);
  }
}

TEST(PrivateKeyTest, GenerateIsClampedAndReplays) {
  DeterministicRng rng1(9), rng2(9);
  auto a = PrivateKey::generate(rng1);
  auto b = PrivateKey::generate(rng2);
  EXPECT_TRUE(ct_equal(a.serialize(), b.serialize()));
  EXPECT_EQ(a.serialize()[0] & 0x07, 0);
  EXPECT_EQ(a.serialize()[31] & 0xC0, 0x40);
  EXPECT_FALSE(ct_equal(a.serialize(), PrivateKey::generate(rng1).serialize()));
}

TEST(PrivateKeyTest, Rfc7748AgreementThroughTheKeyTypes) {
  auto a = PrivateKey::deserialize(from_hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  auto b = PrivateKey::deserialize(from_hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(to_hex(a->public_key().serialize()), "058520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  EXPECT_EQ(to_hex(a->agree(b->public_key()).view()),
            "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  EXPECT_TRUE(a->agree(b->public_key()) == b->agree(a->public_key()));
}

TEST(PrivateKeyTest, AgreementIgnoresBit255OfPeerU) {
  DeterministicRng rng(3);
  auto me = KeyPair::generate(rng);
  auto peer = KeyPair::generate(rng);
  auto u = peer.public_key.u();
  u[31] |= 0x80;
  EXPECT_TRUE(me.private_key.agree(peer.public_key) == me.private_key.agree(PublicKey::from_u(u)));
}

TEST(KeyPairTest, GenerateAndFromPrivateAgree) {
  DeterministicRng rng(11);
  auto kp = KeyPair::generate(rng);
  EXPECT_EQ(kp.public_key, kp.private_key.public_key());
  auto again = KeyPair::from_private(kp.private_key.clone());
  EXPECT_EQ(again.public_key, kp.public_key);
  auto copy = kp.clone();
  EXPECT_TRUE(ct_equal(copy.private_key.serialize(), kp.private_key.serialize()));
}

// --- Public keys ----------------------------------------------------------------------

TEST(PublicKeyTest, ParseErrorsAreInvalidKey) {
  const Bytes empty;
  const Bytes type_only{0x05};
  Bytes short32(32, 0x11);
  short32[0] = 0x05;
  Bytes wrong_type(33, 0x11);
  wrong_type[0] = 0x06;
  Bytes zero_type(33, 0x11);
  zero_type[0] = 0x00;
  for (const Bytes* in : std::initializer_list<const Bytes*>{&empty, &type_only, &short32, &wrong_type, &zero_type}) {
    auto r = PublicKey::deserialize(*in);
    ASSERT_FALSE(r.ok()) << to_hex(*in);
    EXPECT_EQ(r.code(), Errc::invalid_key);
  }
  auto none = PublicKey::deserialize(empty);
  EXPECT_NE(none.error().message.find("no key type"), std::string::npos);
}

TEST(PublicKeyTest, TrailingBytesAreIgnored) {
  Bytes in(33, 0x7a);
  in[0] = 0x05;
  Bytes longer = in;
  longer.insert(longer.end(), {0xde, 0xad, 0xbe, 0xef});
  auto a = PublicKey::deserialize(in);
  auto b = PublicKey::deserialize(longer);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(to_hex(b->serialize()), to_hex(in));
}

TEST(PublicKeyTest, NoCurveCheck) {
  // u = 0, u = all ff: libsignal accepts any 32 bytes (keys.json u_zero, u_all_ff).
  Bytes zero(33, 0), ff(33, 0xff);
  zero[0] = ff[0] = 0x05;
  EXPECT_TRUE(PublicKey::deserialize(zero).ok());
  EXPECT_TRUE(PublicKey::deserialize(ff).ok());
}

// Ordering is memcmp order of the 32 bytes (facts §1), equality is on all of them.
TEST(PublicKeyTest, OrderingIsMemcmpOrder) {
  std::mt19937 gen(33);
  for (int i = 0; i < 2000; ++i) {
    std::array<std::uint8_t, 32> a{}, b{};
    for (auto& x : a) x = static_cast<std::uint8_t>(gen() % 4);  // many ties
    b = a;
    std::size_t n = gen() % 4;
    for (std::size_t j = 0; j < n; ++j) b[gen() % 32] = static_cast<std::uint8_t>(gen() % 4);
    int ref = std::memcmp(a.data(), b.data(), 32);
    auto got = PublicKey::from_u(a) <=> PublicKey::from_u(b);
    const auto expected = ref < 0   ? std::strong_ordering::less
                          : ref > 0 ? std::strong_ordering::greater
                                    : std::strong_ordering::equal;
    EXPECT_TRUE(got == expected) << i;
    EXPECT_EQ(PublicKey::from_u(a) == PublicKey::from_u(b), ref == 0);
  }
  // The first byte decides even against a larger last byte.
  std::array<std::uint8_t, 32> lo{}, hi{};
  lo[0] = 1;
  lo[31] = 0xff;
  hi[0] = 2;
  EXPECT_TRUE(PublicKey::from_u(lo) < PublicKey::from_u(hi));
  EXPECT_TRUE(PublicKey::from_u(hi) > PublicKey::from_u(lo));
}

// --- Signed prekeys -------------------------------------------------------------------

TEST(PreKeyTest, SignedPreKeySignsThe33ByteSerialization) {
  DeterministicRng rng(21);
  auto identity = KeyPair::generate(rng);
  auto spk = generate_signed_prekey(identity, 7, 1'700'000'000'000ull, rng);
  EXPECT_EQ(spk.id, 7u);
  EXPECT_EQ(spk.timestamp, 1'700'000'000'000ull);
  EXPECT_EQ(spk.key_pair.public_key, spk.key_pair.private_key.public_key());
  EXPECT_TRUE(identity.public_key.verify(spk.key_pair.public_key.serialize(), spk.signature));
  // Not over the bare 32-byte u.
  EXPECT_FALSE(identity.public_key.verify(spk.key_pair.public_key.u(), spk.signature));
  auto pk = generate_prekey(31, rng);
  EXPECT_EQ(pk.id, 31u);
  EXPECT_EQ(pk.key_pair.public_key, pk.key_pair.private_key.public_key());
}

// --- Memory primitives, Rng, Clock, error names ------------------------------------------

TEST(BytesTest, CtEqualSemantics) {
  EXPECT_TRUE(ct_equal(Bytes{}, Bytes{}));
  EXPECT_TRUE(ct_equal(Bytes{1, 2, 3}, Bytes{1, 2, 3}));
  EXPECT_FALSE(ct_equal(Bytes{1, 2, 3}, Bytes{1, 2}));   // length differs
  EXPECT_FALSE(ct_equal(Bytes{1, 2}, Bytes{1, 2, 3}));
  EXPECT_FALSE(ct_equal(Bytes{}, Bytes{0}));
  Bytes a(64, 0x5c);
  for (std::size_t i : {std::size_t{0}, std::size_t{31}, std::size_t{63}}) {
    Bytes b = a;
    b[i] ^= 0x01;
    EXPECT_FALSE(ct_equal(a, b)) << i;
  }
  Secret<32> s1(Bytes(32, 9)), s2(Bytes(32, 9)), s3(Bytes(32, 8));
  EXPECT_TRUE(s1 == s2);
  EXPECT_FALSE(s1 == s3);
}

TEST(BytesTest, SecretBytesResizeKeepsPrefixAndZeroFills) {
  SecretBytes s(Bytes{1, 2, 3, 4, 5});
  s.resize(3);
  EXPECT_EQ(to_hex(s.view()), "010203");
  s.resize(4);  // within capacity
  EXPECT_EQ(to_hex(s.view()), "01020300");
  s.resize(1000);  // reallocates
  ASSERT_EQ(s.size(), 1000u);
  EXPECT_EQ(to_hex(s.view().first(4)), "01020300");
  EXPECT_TRUE(std::all_of(s.view().begin() + 4, s.view().end(), [](std::uint8_t b) { return b == 0; }));
  s.resize(0);
  EXPECT_TRUE(s.empty());
}

TEST(BytesTest, SecureWipeZeroes) {
  std::array<std::uint8_t, 40> buf;
  buf.fill(0xee);
  secure_wipe(buf.data(), buf.size());
  EXPECT_TRUE(std::all_of(buf.begin(), buf.end(), [](std::uint8_t b) { return b == 0; }));
  secure_wipe(nullptr, 0);
}

class CountingRng final : public Rng {
 public:
  void fill(MutableByteView out) override {
    for (auto& b : out) b = next_++;
  }

 private:
  std::uint8_t next_ = 1;
};

TEST(RngTest, NextU32IsLittleEndian) {
  CountingRng rng;
  EXPECT_EQ(rng.next_u32(), 0x04030201u);
  EXPECT_EQ(rng.next_u32(), 0x08070605u);
}

TEST(RngTest, SystemRngProducesFreshBytes) {
  SystemRng rng;
  Bytes a(32), b(32);
  rng.fill(a);
  rng.fill(b);
  EXPECT_NE(a, b);
}

TEST(ClockTest, SystemClockIsNearNow) {
  SystemClock clock;
  auto now = clock.now_seconds();
  EXPECT_GT(now, 1'700'000'000u);      // after November 2023
  EXPECT_LT(now, 4'102'444'800u);      // before 2100
}

TEST(ErrcTest, NamesMatchTheDriverProtocol) {
  EXPECT_EQ(errc_name(Errc::bad_request), "bad_request");
  EXPECT_EQ(errc_name(Errc::invalid_key), "invalid_key");
  EXPECT_EQ(errc_name(Errc::invalid_signature), "invalid_signature");
  EXPECT_EQ(errc_name(Errc::untrusted_identity), "untrusted_identity");
  EXPECT_EQ(errc_name(Errc::no_session), "no_session");
  EXPECT_EQ(errc_name(Errc::invalid_prekey), "invalid_prekey");
  EXPECT_EQ(errc_name(Errc::duplicate_message), "duplicate_message");
  EXPECT_EQ(errc_name(Errc::invalid_message), "invalid_message");
  EXPECT_EQ(errc_name(Errc::storage), "storage_error");
}

// --- libsignal's answers (interop/vectors/keys.json) ---------------------------------------

TEST(KeysVectorsTest, PrivateKeysClampAndDeriveLikeLibsignal) {
  auto v = load_vectors("keys.json");
  ASSERT_EQ(v.at("private_keys").size(), 22u);
  for (const auto& c : v.at("private_keys")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    auto k = PrivateKey::deserialize(hex_field(c, "input"));
    ASSERT_TRUE(k.ok());
    EXPECT_EQ(to_hex(k->serialize()), c.at("private_key").get<std::string>());
    EXPECT_EQ(to_hex(k->public_key().serialize()), c.at("public_key").get<std::string>());
  }
}

TEST(KeysVectorsTest, AgreementsMatchLibsignal) {
  auto v = load_vectors("keys.json");
  ASSERT_EQ(v.at("agreement").size(), 11u);
  for (const auto& c : v.at("agreement")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    auto k = PrivateKey::deserialize(hex_field(c, "private_key"));
    auto pub = PublicKey::deserialize(hex_field(c, "public_key"));
    ASSERT_TRUE(k.ok() && pub.ok());
    EXPECT_EQ(to_hex(k->agree(*pub).view()), c.at("shared_secret").get<std::string>());
    if (!c.at("peer_private_key").is_null()) {
      auto peer = PrivateKey::deserialize(hex_field(c, "peer_private_key"));
      ASSERT_TRUE(peer.ok());
      EXPECT_EQ(peer->public_key(), *pub);
      EXPECT_EQ(to_hex(peer->agree(k->public_key()).view()), c.at("shared_secret").get<std::string>());
    }
  }
}

TEST(KeysVectorsTest, PublicKeyParsingMatchesLibsignal) {
  auto v = load_vectors("keys.json");
  ASSERT_EQ(v.at("public_key_parsing").size(), 11u);
  for (const auto& c : v.at("public_key_parsing")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    auto r = PublicKey::deserialize(hex_field(c, "input"));
    ASSERT_EQ(r.ok(), c.at("accepted").get<bool>());
    if (r.ok()) {
      EXPECT_EQ(to_hex(r->serialize()), c.at("serialized").get<std::string>());
    } else {
      EXPECT_EQ(r.code(), Errc::invalid_key);
    }
  }
}

TEST(KeysVectorsTest, PrivateKeyParsingMatchesLibsignal) {
  auto v = load_vectors("keys.json");
  ASSERT_EQ(v.at("private_key_parsing").size(), 4u);
  for (const auto& c : v.at("private_key_parsing")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    auto r = PrivateKey::deserialize(hex_field(c, "input"));
    ASSERT_EQ(r.ok(), c.at("accepted").get<bool>());
    if (r.ok()) {
      EXPECT_EQ(to_hex(r->serialize()), c.at("serialized").get<std::string>());
    } else {
      EXPECT_EQ(r.code(), Errc::invalid_key);
    }
  }
}

}  // namespace
}  // namespace hush::test
