// The crypto seam's standard primitives against their specifications' test
// vectors (FIPS 180-4, RFC 4231, RFC 5869, RFC 7748) and, on many random
// inputs, against OpenSSL's own implementations of the same constructions.
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "crypto/crypto.hpp"
#include "support/hex.hpp"

namespace hush::test {
namespace {

using crypto::HmacSha256;

Bytes repeat(std::uint8_t b, std::size_t n) { return Bytes(n, b); }

Bytes range_bytes(std::uint8_t first, std::uint8_t last) {
  Bytes out;
  for (unsigned v = first; v <= last; ++v) out.push_back(static_cast<std::uint8_t>(v));
  return out;
}

Bytes random_bytes(std::mt19937& gen, std::size_t n) {
  Bytes out(n);
  for (auto& b : out) b = static_cast<std::uint8_t>(gen());
  return out;
}

std::string hex_of(ByteView b) { return to_hex(b); }

// --- SHA-512 -----------------------------------------------------------------

TEST(Sha512Test, Fips180Vectors) {
  EXPECT_EQ(hex_of(crypto::sha512(as_bytes("abc"))),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  EXPECT_EQ(hex_of(crypto::sha512({})),
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
            "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
}

TEST(Sha512Test, IncrementalMatchesOneShotForAnySplit) {
  std::mt19937 gen(512);
  crypto::Sha512 sha;  // one object, reused: finish() starts a new hash
  for (int round = 0; round < 200; ++round) {
    Bytes data = random_bytes(gen, gen() % 400);
    std::size_t cut1 = data.empty() ? 0 : gen() % (data.size() + 1);
    std::size_t cut2 = cut1 + (data.size() - cut1 == 0 ? 0 : gen() % (data.size() - cut1 + 1));
    ByteView v(data);
    sha.update(v.subspan(0, cut1));
    sha.update(v.subspan(cut1, cut2 - cut1));
    sha.update(v.subspan(cut2));
    EXPECT_EQ(sha.finish(), crypto::sha512(data)) << "round " << round;
  }
}

// --- HMAC-SHA256 ---------------------------------------------------------------

struct Rfc4231Case {
  Bytes key;
  Bytes data;
  const char* mac;  // truncated in case 5
};

std::vector<Rfc4231Case> rfc4231_cases() {
  Bytes key4 = range_bytes(0x01, 0x19);
  return {
      {repeat(0x0b, 20), Bytes{'H', 'i', ' ', 'T', 'h', 'e', 'r', 'e'},
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {Bytes{'J', 'e', 'f', 'e'}, Bytes(as_bytes("what do ya want for nothing?").begin(),
                                        as_bytes("what do ya want for nothing?").end()),
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {repeat(0xaa, 20), repeat(0xdd, 50), "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {key4, repeat(0xcd, 50), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {repeat(0x0c, 20), Bytes(as_bytes("Test With Truncation").begin(), as_bytes("Test With Truncation").end()),
       "a3b6167473100ee06e0c796c2955552b"},
      {repeat(0xaa, 131),
       Bytes(as_bytes("Test Using Larger Than Block-Size Key - Hash Key First").begin(),
             as_bytes("Test Using Larger Than Block-Size Key - Hash Key First").end()),
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {repeat(0xaa, 131),
       [] {
         std::string_view s =
             "This is a test using a larger than block-size key and a larger than block-size data. The key needs "
             "to be hashed before being used by the HMAC algorithm.";
         return Bytes(s.begin(), s.end());
       }(),
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
}

TEST(HmacSha256Test, Rfc4231Vectors) {
  int n = 0;
  for (const auto& c : rfc4231_cases()) {
    ++n;
    HmacSha256 h(c.key);
    auto mac = h.mac(c.data);
    std::string expected = c.mac;
    EXPECT_EQ(hex_of(ByteView(mac).first(expected.size() / 2)), expected) << "RFC 4231 test case " << n;
  }
}

Bytes openssl_hmac(ByteView key, ByteView data) {
  Bytes out(32);
  unsigned int len = 0;
  static const std::uint8_t kEmpty = 0;
  HMAC(EVP_sha256(), key.empty() ? &kEmpty : key.data(), static_cast<int>(key.size()),
       data.empty() ? &kEmpty : data.data(), data.size(), out.data(), &len);
  EXPECT_EQ(len, 32u);
  return out;
}

// hmac.cpp builds RFC 2104 by hand over the low-level SHA-256 API, so it is
// checked against OpenSSL's HMAC() across key lengths on both sides of the
// 64-byte block (0, short, exactly 64, 65, long) and data lengths across
// SHA-256 block boundaries, fed in pieces, with the object reused.
TEST(HmacSha256Test, MatchesOpenSslOnRandomKeysAndLengths) {
  std::mt19937 gen(4231);
  std::vector<std::size_t> key_lengths = {0, 1, 16, 31, 32, 33, 55, 56, 63, 64, 65, 100, 128, 129, 200, 1000};
  for (int i = 0; i < 40; ++i) key_lengths.push_back(gen() % 300);
  for (std::size_t klen : key_lengths) {
    Bytes key = random_bytes(gen, klen);
    HmacSha256 h(key);
    for (int j = 0; j < 12; ++j) {
      std::size_t dlen = j < 4 ? std::vector<std::size_t>{0, 1, 55, 64}[j] : gen() % 400;
      Bytes data = random_bytes(gen, dlen);
      Bytes expected = openssl_hmac(key, data);
      auto one = h.mac(data);
      EXPECT_EQ(hex_of(one), hex_of(expected)) << "key " << klen << " data " << dlen;
      // The same MAC fed in three pieces through update/finish.
      std::size_t a = dlen == 0 ? 0 : gen() % (dlen + 1);
      std::size_t b = a + (dlen - a == 0 ? 0 : gen() % (dlen - a + 1));
      ByteView v(data);
      h.update(v.subspan(0, a));
      h.update(v.subspan(a, b - a));
      h.update(v.subspan(b));
      std::uint8_t out[32];
      h.finish(out);
      EXPECT_EQ(hex_of(ByteView(out, 32)), hex_of(expected));
    }
  }
}

TEST(HmacSha256Test, ResetDiscardsPartialInput) {
  HmacSha256 h(repeat(0x42, 32));
  h.update(as_bytes("garbage that must not count"));
  h.reset();
  h.update(Bytes{0x01});
  std::uint8_t out[32];
  h.finish(out);
  EXPECT_EQ(hex_of(ByteView(out, 32)), hex_of(openssl_hmac(repeat(0x42, 32), Bytes{0x01})));
}

TEST(HmacSha256Test, MacSecretEqualsMac) {
  HmacSha256 h(repeat(0x07, 32));
  auto pub = h.mac(Bytes{0x02});
  auto sec = h.mac_secret(Bytes{0x02});
  EXPECT_TRUE(ct_equal(pub, sec.view()));
}

// --- HKDF-SHA256 -----------------------------------------------------------------

Bytes hkdf(ByteView salt, ByteView ikm, ByteView info, std::size_t len) {
  Bytes out(len);
  crypto::hkdf_sha256(salt, ikm, info, out);
  return out;
}

TEST(HkdfSha256Test, Rfc5869Case1) {
  EXPECT_EQ(hex_of(hkdf(range_bytes(0x00, 0x0c), repeat(0x0b, 22), range_bytes(0xf0, 0xf9), 42)),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(HkdfSha256Test, Rfc5869Case2LongInputs) {
  EXPECT_EQ(hex_of(hkdf(range_bytes(0x60, 0xaf), range_bytes(0x00, 0x4f), range_bytes(0xb0, 0xff), 82)),
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
            "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
            "cc30c58179ec3e87c14c01d5c1f3434f1d87");
}

TEST(HkdfSha256Test, Rfc5869Case3EmptySaltAndInfo) {
  EXPECT_EQ(hex_of(hkdf({}, repeat(0x0b, 22), {}, 42)),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

// libsignal's "salt = none" is HashLen zeros (RFC 5869 §2.2); an empty salt
// must mean exactly that.
TEST(HkdfSha256Test, EmptySaltEqualsThirtyTwoZeroBytes) {
  Bytes ikm = repeat(0x5a, 96);
  EXPECT_EQ(hkdf({}, ikm, as_bytes("WhisperText"), 64), hkdf(Bytes(32, 0), ikm, as_bytes("WhisperText"), 64));
}

Bytes openssl_hkdf(ByteView salt, ByteView ikm, ByteView info, std::size_t len) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  char digest[] = "SHA256";
  std::vector<OSSL_PARAM> params;
  params.push_back(OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0));
  params.push_back(OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(ikm.data()),
                                                     ikm.size()));
  if (!salt.empty())
    params.push_back(OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                                       const_cast<std::uint8_t*>(salt.data()), salt.size()));
  if (!info.empty())
    params.push_back(OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                                       const_cast<std::uint8_t*>(info.data()), info.size()));
  params.push_back(OSSL_PARAM_construct_end());
  Bytes out(len);
  EXPECT_EQ(EVP_KDF_derive(ctx, out.data(), out.size(), params.data()), 1);
  EVP_KDF_CTX_free(ctx);
  return out;
}

TEST(HkdfSha256Test, MatchesOpenSslEvpKdfOnRandomInputs) {
  std::mt19937 gen(5869);
  for (int i = 0; i < 300; ++i) {
    Bytes salt = random_bytes(gen, i % 7 == 0 ? 0 : gen() % 150);
    Bytes ikm = random_bytes(gen, 1 + gen() % 200);
    Bytes info = random_bytes(gen, i % 5 == 0 ? 0 : gen() % 100);
    std::size_t len = i == 0 ? 255 * 32 : 1 + gen() % 300;
    EXPECT_EQ(hex_of(hkdf(salt, ikm, info, len)), hex_of(openssl_hkdf(salt, ikm, info, len)))
        << "case " << i << " salt " << salt.size() << " ikm " << ikm.size() << " info " << info.size()
        << " L " << len;
  }
}

TEST(HkdfSha256Test, ZeroLengthOutputIsFine) { EXPECT_TRUE(hkdf({}, repeat(1, 32), {}, 0).empty()); }

TEST(HkdfSha256DeathTest, OutputLongerThan255BlocksIsAContractViolation) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(hkdf({}, repeat(1, 32), {}, 255 * 32 + 1), "");
}

// --- AES-256-CBC -------------------------------------------------------------------

const Bytes kAesKey = from_hex("4e22eb16d964779994222e82192ce9f747da72dc4abe49dfdeeb71d0ffe3796e");
const Bytes kAesIv = from_hex("6f8a557ddc0a140c878063a6d5f31d3d");

TEST(AesCbcTest, FactsVector) {
  Bytes pt = from_hex("30736294a124482a4159");
  Bytes ct = crypto::aes256_cbc_encrypt(kAesKey, kAesIv, pt);
  EXPECT_EQ(hex_of(ct), "dd3f573ab4508b9ed0e45e0baf5608f3");
  auto back = crypto::aes256_cbc_decrypt(kAesKey, kAesIv, ct);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(hex_of(back->view()), hex_of(pt));
}

// libsignal's aes_cbc_test negatives: the recovered 10 bytes are not a whole
// block, and the ciphertext used as the IV breaks the padding.
TEST(AesCbcTest, FactsVectorNegatives) {
  Bytes ct = from_hex("dd3f573ab4508b9ed0e45e0baf5608f3");
  auto short_input = crypto::aes256_cbc_decrypt(kAesKey, kAesIv, from_hex("30736294a124482a4159"));
  ASSERT_FALSE(short_input.ok());
  EXPECT_EQ(short_input.code(), Errc::invalid_message);
  auto bad_iv = crypto::aes256_cbc_decrypt(kAesKey, ct, ct);
  ASSERT_FALSE(bad_iv.ok());
  EXPECT_EQ(bad_iv.code(), Errc::invalid_message);
}

TEST(AesCbcTest, RoundTripsEveryLengthAndMatchesPlainEvp) {
  std::mt19937 gen(16);
  for (std::size_t len = 0; len <= 300; ++len) {
    Bytes key = random_bytes(gen, 32);
    Bytes iv = random_bytes(gen, 16);
    Bytes pt = random_bytes(gen, len);
    Bytes ct = crypto::aes256_cbc_encrypt(key, iv, pt);
    ASSERT_EQ(ct.size(), (len / 16 + 1) * 16);

    // Independent encryption with a fresh context and the legacy cipher handle.
    EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
    Bytes ref(len + 16);
    int n1 = 0, n2 = 0;
    ASSERT_EQ(EVP_EncryptInit_ex(c, EVP_aes_256_cbc(), nullptr, key.data(), iv.data()), 1);
    ASSERT_EQ(EVP_EncryptUpdate(c, ref.data(), &n1, pt.data(), static_cast<int>(len)), 1);
    ASSERT_EQ(EVP_EncryptFinal_ex(c, ref.data() + n1, &n2), 1);
    EVP_CIPHER_CTX_free(c);
    ref.resize(static_cast<std::size_t>(n1 + n2));
    EXPECT_EQ(hex_of(ct), hex_of(ref)) << "length " << len;

    auto back = crypto::aes256_cbc_decrypt(key, iv, ct);
    ASSERT_TRUE(back.ok()) << "length " << len;
    EXPECT_EQ(hex_of(back->view()), hex_of(pt));
  }
}

TEST(AesCbcTest, RejectsEmptyAndPartialBlocks) {
  for (std::size_t len : {0, 1, 15, 17, 31, 33}) {
    auto r = crypto::aes256_cbc_decrypt(kAesKey, kAesIv, Bytes(len, 0xab));
    ASSERT_FALSE(r.ok()) << len;
    EXPECT_EQ(r.code(), Errc::invalid_message) << len;
  }
}

TEST(AesCbcTest, RejectsBadPaddingAndRecoversAfterwards) {
  Bytes pt(40, 0x11);
  Bytes ct = crypto::aes256_cbc_encrypt(kAesKey, kAesIv, pt);
  int rejected = 0;
  // Flipping a bit of the second-to-last block changes the same bit of the
  // final plaintext block: the last byte (the pad length) or a pad byte.
  for (std::size_t bit = 0; bit < 8; ++bit) {
    Bytes bad = ct;
    bad[bad.size() - 17] ^= static_cast<std::uint8_t>(1u << bit);
    auto r = crypto::aes256_cbc_decrypt(kAesKey, kAesIv, bad);
    if (!r.ok()) {
      EXPECT_EQ(r.code(), Errc::invalid_message);
      ++rejected;
    }
    // The thread's reused context must be clean for the next call.
    auto good = crypto::aes256_cbc_decrypt(kAesKey, kAesIv, ct);
    ASSERT_TRUE(good.ok());
    EXPECT_EQ(hex_of(good->view()), hex_of(pt));
  }
  EXPECT_EQ(rejected, 8);
  // A pad byte of 0 and of 17 are both invalid.
  for (std::uint8_t pad : {0x00, 0x11}) {
    Bytes block(16, pad);
    Bytes raw = crypto::aes256_cbc_encrypt(kAesKey, kAesIv, block);
    raw.resize(16);  // drop the padding block: the last byte decrypts to `pad`
    auto r = crypto::aes256_cbc_decrypt(kAesKey, kAesIv, raw);
    EXPECT_FALSE(r.ok()) << int(pad);
  }
}

TEST(AesCbcTest, WrongKeyOrIvSizeIsBadRequest) {
  Bytes ct = from_hex("dd3f573ab4508b9ed0e45e0baf5608f3");
  auto r1 = crypto::aes256_cbc_decrypt(ByteView(kAesKey).first(16), kAesIv, ct);
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.code(), Errc::bad_request);
  auto r2 = crypto::aes256_cbc_decrypt(kAesKey, ByteView(kAesIv).first(12), ct);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.code(), Errc::bad_request);
}

// Each thread has its own context; concurrent use must not interfere.
TEST(AesCbcTest, ThreadsDoNotShareState) {
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &failures] {
      std::mt19937 gen(static_cast<unsigned>(100 + t));
      for (int i = 0; i < 500; ++i) {
        Bytes key = random_bytes(gen, 32), iv = random_bytes(gen, 16), pt = random_bytes(gen, gen() % 100);
        auto back = crypto::aes256_cbc_decrypt(key, iv, crypto::aes256_cbc_encrypt(key, iv, pt));
        if (!back.ok() || !ct_equal(back->view(), pt)) ++failures[static_cast<std::size_t>(t)];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

// --- X25519 and randomness -------------------------------------------------------------

TEST(X25519Test, Rfc7748Section6_1) {
  crypto::Key32 a(from_hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  crypto::Key32 b(from_hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
  crypto::clamp(a.mut());
  crypto::clamp(b.mut());
  auto pa = crypto::x25519_base(a);
  auto pb = crypto::x25519_base(b);
  EXPECT_EQ(hex_of(pa), "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  EXPECT_EQ(hex_of(pb), "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  EXPECT_EQ(hex_of(crypto::x25519(a, pb).view()), "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  EXPECT_EQ(hex_of(crypto::x25519(b, pa).view()), "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
}

// libsignal does not reject an all-zero shared secret (facts §1); libsodium
// reports -1 for these points and the seam must still return the zeros.
TEST(X25519Test, SmallOrderPeerGivesAllZeroSecret) {
  crypto::Key32 k(from_hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  crypto::clamp(k.mut());
  const char* small_order[] = {
      "0000000000000000000000000000000000000000000000000000000000000000",  // 0
      "0100000000000000000000000000000000000000000000000000000000000000",  // 1
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // p - 1
      "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",  // order 8
      "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",  // order 8
  };
  for (const char* u : small_order) {
    crypto::PublicU pu{};
    Bytes ub = from_hex(u);
    std::copy(ub.begin(), ub.end(), pu.begin());
    EXPECT_EQ(hex_of(crypto::x25519(k, pu).view()), std::string(64, '0')) << u;
  }
}

TEST(RandomTest, FillsAndDiffers) {
  Bytes a(64, 0), b(64, 0);
  crypto::random_fill(a);
  crypto::random_fill(b);
  EXPECT_NE(a, Bytes(64, 0));
  EXPECT_NE(a, b);
  crypto::random_fill({});  // empty output is allowed
}

}  // namespace
}  // namespace hush::test
