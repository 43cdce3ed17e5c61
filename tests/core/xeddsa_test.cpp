// XEdDSA as libsignal does it (facts §2): libsignal's own signatures verify,
// ours round-trip, every tampering is refused, and the edge cases libsignal
// accepts (s in [L, 2^253), bit 255 of u, u >= p) are accepted here too.
#include <openssl/bn.h>
#include <sodium.h>

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "crypto/crypto.hpp"
#include "hush/keys.hpp"
#include "support/deterministic.hpp"
#include "support/hex.hpp"
#include "support/vectors.hpp"

namespace hush::test {
namespace {

using Sig = std::array<std::uint8_t, 64>;


PublicKey public_key(std::string_view hex) {
  auto r = PublicKey::deserialize(from_hex(hex));
  if (!r.ok()) throw std::runtime_error("bad test key");
  return *r;
}

crypto::PublicU u_from_hex(std::string_view hex) {
  Bytes b = from_hex(hex);
  crypto::PublicU u{};
  std::copy(b.begin(), b.end(), u.begin());
  return u;
}

// Adds L to the 256-bit little-endian s in sig[32:64] (sign bit cleared
// first, restored after).
Sig with_s_plus_l(Sig sig) {
  // L = 2^252 + 27742317777372353535851937790883648493, little endian.
  static const Bytes kL = from_hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
  const std::uint8_t sign = sig[63] & 0x80;
  sig[63] &= 0x7F;
  unsigned carry = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    unsigned v = sig[32 + i] + kL[i] + carry;
    sig[32 + i] = static_cast<std::uint8_t>(v);
    carry = v >> 8;
  }
  EXPECT_EQ(carry, 0u);
  EXPECT_EQ(sig[63] & 0xE0, 0) << "s + L must stay below 2^253";
  sig[63] |= sign;
  return sig;
}

constexpr std::string_view kFactsMessage = "libsignal xeddsa vector";

// --- facts §2 vectors ----------------------------------------------------------------

TEST(XeddsaTest, FactsVectorSignBit0Verifies) {
  auto priv = PrivateKey::deserialize(Bytes(32, 0x01));
  ASSERT_TRUE(priv.ok());
  auto pub = public_key("05a4e09292b651c278b9772c569f5fa9bb13d906b46ab68c9df9dc2b4409f8a209");
  EXPECT_EQ(priv->public_key(), pub);
  Bytes sig = from_hex(
      "e5de407a7100ec0932ce2e393cb1df7c05605b9898e5859c1fa3422353a39dc3"
      "5ffeb5563e86d06bf0eb62be65666ccc1084691128a8cc02650454e8e0a5fd07");
  EXPECT_EQ(sig[63] >> 7, 0);
  EXPECT_TRUE(pub.verify(as_bytes(kFactsMessage), sig));
  EXPECT_FALSE(pub.verify(as_bytes("libsignal xeddsa vectoR"), sig));
}

TEST(XeddsaTest, FactsVectorSignBit1Verifies) {
  auto priv = PrivateKey::deserialize(Bytes(32, 0x03));
  ASSERT_TRUE(priv.ok());
  auto pub = public_key("055dfedd3b6bd47f6fa28ee15d969d5bb0ea53774d488bdaf9df1c6e0124b3ef22");
  EXPECT_EQ(priv->public_key(), pub);
  Bytes sig = from_hex(
      "7ec5547a6e06f552bf596c848b914d1a80ed1461553ecd7131af820c78ffb60f"
      "dec2f56e3ad004b9bafa434a98c00ad7466f18df2435a22085ae3e0d28cc898e");
  EXPECT_EQ(sig[63] >> 7, 1);
  EXPECT_TRUE(pub.verify(as_bytes(kFactsMessage), sig));
  Bytes flipped = sig;
  flipped[63] ^= 0x80;
  EXPECT_FALSE(pub.verify(as_bytes(kFactsMessage), flipped));
}

// --- round trips ------------------------------------------------------------------------

TEST(XeddsaTest, SignVerifyRoundTripsCoverBothSignBits) {
  DeterministicRng rng(2016);
  int sign_bits[2] = {0, 0};
  for (int i = 0; i < 64; ++i) {
    auto kp = KeyPair::generate(rng);
    Bytes msg(static_cast<std::size_t>(i * 3), static_cast<std::uint8_t>(i));
    auto sig = kp.private_key.sign(msg, rng);
    ++sign_bits[sig[63] >> 7];
    EXPECT_TRUE(kp.public_key.verify(msg, sig)) << i;
    // The sign bit is A's: equal for every signature by one key.
    auto sig2 = kp.private_key.sign(as_bytes("other"), rng);
    EXPECT_EQ(sig[63] >> 7, sig2[63] >> 7);
    EXPECT_TRUE(kp.public_key.verify(as_bytes("other"), sig2));
  }
  EXPECT_GT(sign_bits[0], 10);
  EXPECT_GT(sign_bits[1], 10);
}

TEST(XeddsaTest, SameRandomnessSameSignatureFreshRandomnessDifferent) {
  DeterministicRng key_rng(1);
  auto kp = KeyPair::generate(key_rng);
  DeterministicRng r1(77), r2(77);
  auto a = kp.private_key.sign(as_bytes("m"), r1);
  auto b = kp.private_key.sign(as_bytes("m"), r2);
  EXPECT_EQ(a, b);
  auto c = kp.private_key.sign(as_bytes("m"), r1);
  EXPECT_NE(a, c);
  EXPECT_TRUE(kp.public_key.verify(as_bytes("m"), c));
}

TEST(XeddsaTest, SignedPreKeyShape) {
  DeterministicRng rng(5);
  auto identity = KeyPair::generate(rng);
  auto spk = KeyPair::generate(rng);
  auto ser = spk.public_key.serialize();
  auto sig = identity.private_key.sign(ser, rng);
  EXPECT_TRUE(identity.public_key.verify(ser, sig));
  EXPECT_FALSE(spk.public_key.verify(ser, sig));
}

// --- negative cases -------------------------------------------------------------------------

// Every single-bit change anywhere in R, s or the sign bit is refused.
TEST(XeddsaTest, EverySingleBitFlipIsRejected) {
  DeterministicRng rng(64);
  auto kp = KeyPair::generate(rng);
  Bytes msg = from_hex("00112233445566778899");
  auto sig = kp.private_key.sign(msg, rng);
  ASSERT_TRUE(kp.public_key.verify(msg, sig));
  for (std::size_t bit = 0; bit < 512; ++bit) {
    Sig bad = sig;
    bad[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(kp.public_key.verify(msg, bad)) << "bit " << bit;
  }
}

TEST(XeddsaTest, TamperedMessageOrKeyIsRejected) {
  DeterministicRng rng(65);
  auto kp = KeyPair::generate(rng);
  auto other = KeyPair::generate(rng);
  Bytes msg(48, 0x33);
  auto sig = kp.private_key.sign(msg, rng);
  Bytes m1 = msg;
  m1[0] ^= 1;
  Bytes m2 = msg;
  m2.push_back(0);
  Bytes m3(msg.begin(), msg.end() - 1);
  EXPECT_FALSE(kp.public_key.verify(m1, sig));
  EXPECT_FALSE(kp.public_key.verify(m2, sig));
  EXPECT_FALSE(kp.public_key.verify(m3, sig));
  EXPECT_FALSE(other.public_key.verify(msg, sig));
  auto u = kp.public_key.u();
  u[0] ^= 0x08;
  EXPECT_FALSE(PublicKey::from_u(u).verify(msg, sig));
}

TEST(XeddsaTest, WrongLengthsAreRejected) {
  DeterministicRng rng(66);
  auto kp = KeyPair::generate(rng);
  auto sig = kp.private_key.sign(as_bytes("x"), rng);
  Bytes full(sig.begin(), sig.end());
  EXPECT_FALSE(kp.public_key.verify(as_bytes("x"), Bytes{}));
  EXPECT_FALSE(kp.public_key.verify(as_bytes("x"), ByteView(full).first(63)));
  Bytes longer = full;
  longer.push_back(0);
  EXPECT_FALSE(kp.public_key.verify(as_bytes("x"), longer));
  Bytes doubled = full;
  doubled.insert(doubled.end(), full.begin(), full.end());
  EXPECT_FALSE(kp.public_key.verify(as_bytes("x"), doubled));
  EXPECT_FALSE(kp.public_key.verify(as_bytes("x"), Bytes(64, 0)));
}

// s must be < 2^253 once bit 255 (the sign bit) is cleared: bits 253 and 254.
TEST(XeddsaTest, HighBitsOfSAreRejected) {
  DeterministicRng rng(67);
  for (int i = 0; i < 8; ++i) {
    auto kp = KeyPair::generate(rng);
    auto sig = kp.private_key.sign(as_bytes("s"), rng);
    ASSERT_TRUE(kp.public_key.verify(as_bytes("s"), sig));
    for (std::uint8_t bits : {0x20, 0x40, 0x60}) {
      Sig bad = sig;
      bad[63] |= bits;
      EXPECT_FALSE(kp.public_key.verify(as_bytes("s"), bad)) << int(bits);
    }
  }
}

// --- edges libsignal accepts ----------------------------------------------------------------

// libsignal reduces s mod L, so s + L (< 2^253) verifies; libsodium's
// crypto_sign_ed25519_verify_detached refuses it, which is why the seam
// verifies with the low-level s·B - h·A path.
TEST(XeddsaTest, NonCanonicalSBelow2To253IsAccepted) {
  DeterministicRng rng(68);
  int seen[2] = {0, 0};
  for (int i = 0; i < 16; ++i) {
    auto kp = KeyPair::generate(rng);
    auto sig = kp.private_key.sign(as_bytes("canon"), rng);
    ++seen[sig[63] >> 7];
    auto big = with_s_plus_l(sig);
    EXPECT_TRUE(kp.public_key.verify(as_bytes("canon"), big)) << i;
  }
  // The same signature given to libsodium unreduced is refused, which is why
  // xeddsa.cpp reduces s before verifying: here A = B (scalar 1, u = 9).
  crypto::Key32 one;
  one.data()[0] = 1;
  auto sig = crypto::xeddsa_sign(one, as_bytes("canon"), std::array<std::uint8_t, 64>{});
  auto big = with_s_plus_l(sig);
  std::uint8_t base_point[32];
  ASSERT_EQ(crypto_scalarmult_ed25519_base_noclamp(base_point, one.data()), 0);
  EXPECT_EQ(crypto_sign_ed25519_verify_detached(sig.data(), as_bytes("canon").data(), 5, base_point), 0);
  EXPECT_NE(crypto_sign_ed25519_verify_detached(big.data(), as_bytes("canon").data(), 5, base_point), 0);
  auto u9 = u_from_hex("0900000000000000000000000000000000000000000000000000000000000000");
  EXPECT_TRUE(crypto::xeddsa_verify(u9, as_bytes("canon"), big));
  EXPECT_GT(seen[0], 0);
  EXPECT_GT(seen[1], 0);
}

TEST(XeddsaTest, Bit255OfUIsIgnored) {
  DeterministicRng rng(69);
  auto kp = KeyPair::generate(rng);
  auto sig = kp.private_key.sign(as_bytes("u"), rng);
  auto u = kp.public_key.u();
  u[31] |= 0x80;
  EXPECT_TRUE(PublicKey::from_u(u).verify(as_bytes("u"), sig));
}

// u in [p, 2^255) is reduced mod p, not refused. Only u < 19 have such an
// alias; u = 9 is the base point, whose Edwards form is B itself, so a
// signature by the (unclamped) scalar 1 verifies under u = 9 and u = 9 + p.
TEST(XeddsaTest, UAboveTheFieldPrimeIsReduced) {
  crypto::Key32 one;
  one.data()[0] = 1;
  std::array<std::uint8_t, 64> z{};
  z.fill(0x5a);
  auto sig = crypto::xeddsa_sign(one, as_bytes("reduce"), z);
  EXPECT_EQ(sig[63] >> 7, 0);  // B has an even x
  auto u9 = u_from_hex("0900000000000000000000000000000000000000000000000000000000000000");
  auto u9_plus_p = u_from_hex("f6ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
  EXPECT_TRUE(crypto::xeddsa_verify(u9, as_bytes("reduce"), sig));
  EXPECT_TRUE(crypto::xeddsa_verify(u9_plus_p, as_bytes("reduce"), sig));
  auto u9_plus_p_bit255 = u9_plus_p;
  u9_plus_p_bit255[31] |= 0x80;
  EXPECT_TRUE(crypto::xeddsa_verify(u9_plus_p_bit255, as_bytes("reduce"), sig));
}

// u = p - 1 has no Edwards image (the map divides by u + 1); libsignal
// refuses it, also when it is reached only after clearing bit 255.
TEST(XeddsaTest, UEqualToPMinusOneIsRejected) {
  std::array<std::uint8_t, 64> z{};
  crypto::Key32 one;
  one.data()[0] = 1;
  auto sig = crypto::xeddsa_sign(one, as_bytes("m"), z);
  auto pm1 = u_from_hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
  EXPECT_FALSE(crypto::xeddsa_verify(pm1, as_bytes("m"), sig));
  pm1[31] |= 0x80;
  EXPECT_FALSE(crypto::xeddsa_verify(pm1, as_bytes("m"), sig));
}

// Documented difference (xeddsa.cpp): a u whose Edwards point has small
// order is refused, though libsignal accepts forgeries for it. Here is one:
// u = 0 gives A = (0, -1) of order 2, so whenever h is even R = s·B - h·A =
// s·B, and (R = r·B, s = r) verifies in libsignal without any private key.
TEST(XeddsaTest, SmallOrderKeyForgeryIsRejected) {
  const auto u0 = u_from_hex(std::string(64, '0'));
  // libsignal hashes compress(A) = y = p - 1 with sign 0.
  const Bytes a_enc = from_hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
  const Bytes msg = from_hex("666f72676564");
  for (std::uint8_t seed = 1;; ++seed) {
    std::uint8_t wide[64] = {seed, 7, 7};
    std::uint8_t r[32];
    crypto_core_ed25519_scalar_reduce(r, wide);
    std::uint8_t r_enc[32];
    ASSERT_EQ(crypto_scalarmult_ed25519_base_noclamp(r_enc, r), 0);
    crypto_hash_sha512_state st;
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, r_enc, 32);
    crypto_hash_sha512_update(&st, a_enc.data(), 32);
    crypto_hash_sha512_update(&st, msg.data(), msg.size());
    std::uint8_t digest[64], h[32];
    crypto_hash_sha512_final(&st, digest);
    crypto_core_ed25519_scalar_reduce(h, digest);
    if (h[0] & 1) continue;  // need h even
    Sig forged{};
    std::copy(r_enc, r_enc + 32, forged.begin());
    std::copy(r, r + 32, forged.begin() + 32);
    EXPECT_FALSE(crypto::xeddsa_verify(u0, msg, forged));
    break;
  }
  // Other small-order u values are refused outright too.
  auto one_sig = Sig{};
  for (const char* u : {"0100000000000000000000000000000000000000000000000000000000000000",
                        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"}) {
    EXPECT_FALSE(crypto::xeddsa_verify(u_from_hex(u), msg, one_sig)) << u;
  }
}

// Helpers for hand-built signatures: libsignal's signing equations with an
// arbitrary A, so keys that no clamped scalar produces can be exercised.
struct Scalar32 {
  std::uint8_t b[32];
};

Scalar32 hash_mod_l(std::initializer_list<ByteView> parts) {
  crypto_hash_sha512_state st;
  crypto_hash_sha512_init(&st);
  for (auto p : parts) crypto_hash_sha512_update(&st, p.data(), p.size());
  std::uint8_t digest[64];
  crypto_hash_sha512_final(&st, digest);
  Scalar32 h;
  crypto_core_ed25519_scalar_reduce(h.b, digest);
  return h;
}

// Montgomery u = (1 + y) / (1 - y) mod p for a compressed Edwards point
// (test-only inverse of the map in xeddsa.cpp).
crypto::PublicU montgomery_u(const std::uint8_t edwards[32]) {
  BN_CTX* ctx = BN_CTX_new();
  BIGNUM *p = BN_new(), *y = BN_new(), *num = BN_new(), *den = BN_new(), *u = BN_new();
  BN_set_bit(p, 255);
  BN_sub_word(p, 19);
  std::uint8_t yb[32];
  std::memcpy(yb, edwards, 32);
  yb[31] &= 0x7F;
  BN_lebin2bn(yb, 32, y);
  BN_mod_add(num, BN_value_one(), y, p, ctx);
  BN_mod_sub(den, BN_value_one(), y, p, ctx);
  BN_mod_inverse(den, den, p, ctx);
  BN_mod_mul(u, num, den, p, ctx);
  crypto::PublicU out{};
  BN_bn2lebinpad(u, out.data(), 32);
  BN_free(p), BN_free(y), BN_free(num), BN_free(den), BN_free(u);
  BN_CTX_free(ctx);
  return out;
}

// The order-2 point (0, -1).
const Bytes kOrder2 = from_hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");

// A key with a torsion component, A = a·B + T (T of order 2), is not in the
// prime-order subgroup; libsignal still verifies against it, and the check
// R == s·B - h·A then holds exactly when h is even (h·T vanishes). We must
// give the same answer in both cases.
TEST(XeddsaTest, TorsionKeyBehavesAsInLibsignal) {
  DeterministicRng rng(253);
  crypto::Key32 k;
  rng.fill(k.mut());
  crypto::clamp(k.mut());
  std::uint8_t ab[32], a_enc[32], a[32], wide[64] = {};
  ASSERT_EQ(crypto_scalarmult_ed25519_base_noclamp(ab, k.data()), 0);
  ASSERT_EQ(crypto_core_ed25519_add(a_enc, ab, kOrder2.data()), 0);
  ASSERT_EQ(crypto_core_ed25519_is_valid_point(a_enc), 0);  // not in the main subgroup
  std::memcpy(wide, k.data(), 32);
  crypto_core_ed25519_scalar_reduce(a, wide);
  const auto u = montgomery_u(a_enc);
  const Bytes msg = from_hex("746f7273696f6e");
  bool saw_even = false, saw_odd = false;
  for (std::uint8_t i = 1; !(saw_even && saw_odd); ++i) {
    std::uint8_t rw[64] = {i, 0x42};
    std::uint8_t r[32], r_enc[32];
    crypto_core_ed25519_scalar_reduce(r, rw);
    ASSERT_EQ(crypto_scalarmult_ed25519_base_noclamp(r_enc, r), 0);
    Scalar32 h = hash_mod_l({ByteView(r_enc, 32), ByteView(a_enc, 32), msg});
    std::uint8_t ha[32], s[32];
    crypto_core_ed25519_scalar_mul(ha, h.b, a);
    crypto_core_ed25519_scalar_add(s, ha, r);
    Sig sig{};
    std::memcpy(sig.data(), r_enc, 32);
    std::memcpy(sig.data() + 32, s, 32);
    sig[63] |= a_enc[31] & 0x80;
    const bool even = (h.b[0] & 1) == 0;
    EXPECT_EQ(crypto::xeddsa_verify(u, msg, sig), even) << "h " << (even ? "even" : "odd");
    (even ? saw_even : saw_odd) = true;
  }
}

// Documented difference (xeddsa.cpp): an R encoding a small-order point is
// refused. The holder of a private key can make one by taking r = 0
// (R = identity, s = h·a); libsignal would accept it.
TEST(XeddsaTest, IdentityRFromTheKeyHolderIsRejected) {
  DeterministicRng rng(254);
  auto kp = KeyPair::generate(rng);
  std::uint8_t a_enc[32], a[32], wide[64] = {};
  ASSERT_EQ(crypto_scalarmult_ed25519_base_noclamp(a_enc, kp.private_key.serialize().data()), 0);
  std::memcpy(wide, kp.private_key.serialize().data(), 32);
  crypto_core_ed25519_scalar_reduce(a, wide);
  const std::uint8_t identity[32] = {1};
  const Bytes msg = from_hex("72303d30");
  Scalar32 h = hash_mod_l({ByteView(identity, 32), ByteView(a_enc, 32), msg});
  Sig sig{};
  sig[0] = 1;
  crypto_core_ed25519_scalar_mul(sig.data() + 32, h.b, a);
  sig[63] |= a_enc[31] & 0x80;
  EXPECT_FALSE(kp.public_key.verify(msg, sig));
}

// The backend behaviour xeddsa_sign relies on for the zero scalar.
TEST(XeddsaTest, BackendReportsTheZeroScalar) {
  std::uint8_t zero[32] = {}, out[32];
  EXPECT_EQ(crypto_scalarmult_ed25519_base_noclamp(out, zero), -1);
}

// --- libsignal's answers (interop/vectors/xeddsa.json) ---------------------------------------

TEST(XeddsaVectorsTest, EveryCaseMatchesLibsignal) {
  auto v = load_vectors("xeddsa.json");
  const auto& cases = v.at("cases");
  ASSERT_EQ(cases.size(), 80u);
  int valid = 0, invalid = 0;
  for (const auto& c : cases) {
    const std::string name = c.at("name").get<std::string>();
    SCOPED_TRACE(name);
    auto pub = PublicKey::deserialize(hex_field(c, "public_key"));
    ASSERT_TRUE(pub.ok());
    const bool expected = c.at("valid").get<bool>();
    EXPECT_EQ(pub->verify(hex_field(c, "message"), hex_field(c, "signature")), expected);
    (expected ? valid : invalid)++;
  }
  EXPECT_EQ(valid, 2 + 42 + 4);    // facts, genuine, s+L and bit-255 edges
  EXPECT_EQ(invalid, 80 - 48);
}

// Our signatures with libsignal's keys verify under libsignal's public keys
// (same clamping, same sign-bit convention).
TEST(XeddsaVectorsTest, OurSignaturesUnderLibsignalKeysVerify) {
  auto v = load_vectors("xeddsa.json");
  DeterministicRng rng(80);
  int checked = 0;
  for (const auto& c : v.at("cases")) {
    const std::string kind = c.at("kind").get<std::string>();
    if (c.at("private_key").is_null() || (kind != "valid" && kind != "facts_vector")) continue;
    SCOPED_TRACE(c.at("name").get<std::string>());
    auto priv = PrivateKey::deserialize(hex_field(c, "private_key"));
    auto pub = PublicKey::deserialize(hex_field(c, "public_key"));
    ASSERT_TRUE(priv.ok() && pub.ok());
    EXPECT_EQ(priv->public_key(), *pub);
    Bytes msg = hex_field(c, "message");
    auto sig = priv->sign(msg, rng);
    EXPECT_EQ(sig[63] >> 7, c.at("sign_bit").get<int>());
    EXPECT_TRUE(pub->verify(msg, sig));
    ++checked;
  }
  EXPECT_EQ(checked, 44);
}

}  // namespace
}  // namespace hush::test
