// StorageKey: Argon2id derivation and XChaCha20-Poly1305 sealing bound to
// associated data (hush/storage_key.hpp).
#include "hush/storage_key.hpp"

#include <gtest/gtest.h>

#include <sodium.h>

namespace hush {
namespace {

TEST(StorageKey, KnownAnswerMatchesLibsodiumArgon2id) {
  // Independent computation straight through libsodium's API: derive() must
  // be plain Argon2id13 with the stored parameters, nothing added.
  const Bytes salt(16, 0x11);
  const KdfParams params = KdfParams::minimum();
  std::uint8_t expected[32];
  ASSERT_EQ(crypto_pwhash(expected, 32, "correct horse", 13, salt.data(), params.opslimit, params.memlimit,
                          crypto_pwhash_ALG_ARGON2ID13),
            0);
  auto key = StorageKey::derive("correct horse", salt, params);
  ASSERT_TRUE(key.ok());
  SystemRng rng;
  const Bytes sealed = key->seal(as_bytes("body"), as_bytes("ad"), rng);
  auto raw = StorageKey::from_secret(Secret<32>(ByteView(expected, 32)));
  auto opened = raw.open(sealed, as_bytes("ad"));
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(std::string(opened->view().begin(), opened->view().end()), "body");
}

TEST(StorageKey, RoundTripAndOverhead) {
  SystemRng rng;
  auto key = StorageKey::derive("pass", StorageKey::new_salt(rng), KdfParams::minimum());
  ASSERT_TRUE(key.ok());
  for (std::size_t n : {0u, 1u, 32u, 1000u}) {
    Bytes plain(n, 0xab);
    Bytes sealed = key->seal(plain, as_bytes("row 1"), rng);
    EXPECT_EQ(sealed.size(), n + StorageKey::kOverhead);
    auto opened = key->open(sealed, as_bytes("row 1"));
    ASSERT_TRUE(opened.ok());
    EXPECT_TRUE(std::equal(plain.begin(), plain.end(), opened->view().begin(), opened->view().end()));
  }
}

TEST(StorageKey, RefusesWrongKeyWrongAdTamperAndShortInput) {
  SystemRng rng;
  const Bytes salt = StorageKey::new_salt(rng);
  auto key = StorageKey::derive("right", salt, KdfParams::minimum());
  auto other = StorageKey::derive("wrong", salt, KdfParams::minimum());
  ASSERT_TRUE(key.ok() && other.ok());
  Bytes sealed = key->seal(as_bytes("secret"), as_bytes("sessions/alice.1"), rng);
  EXPECT_EQ(other->open(sealed, as_bytes("sessions/alice.1")).code(), Errc::storage);
  EXPECT_EQ(key->open(sealed, as_bytes("sessions/alice.2")).code(), Errc::storage);
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    Bytes bad = sealed;
    bad[i] ^= 0x01;
    EXPECT_EQ(key->open(bad, as_bytes("sessions/alice.1")).code(), Errc::storage) << "byte " << i;
  }
  EXPECT_EQ(key->open(ByteView(sealed.data(), StorageKey::kOverhead - 1), {}).code(), Errc::storage);
}

TEST(StorageKey, SubkeysAreIndependentAndDeterministic) {
  SystemRng rng;
  auto key = StorageKey::derive("pass", StorageKey::new_salt(rng), KdfParams::minimum());
  ASSERT_TRUE(key.ok());
  Bytes sealed = key->subkey("protocol").seal(as_bytes("x"), {}, rng);
  EXPECT_TRUE(key->subkey("protocol").open(sealed, {}).ok());
  EXPECT_EQ(key->subkey("messages").open(sealed, {}).code(), Errc::storage);
  EXPECT_EQ(key->open(sealed, {}).code(), Errc::storage);
}

TEST(StorageKey, RefusesBadParameters) {
  EXPECT_EQ(StorageKey::derive("p", Bytes(15, 0), KdfParams::minimum()).code(), Errc::bad_request);
  EXPECT_EQ(StorageKey::derive("p", Bytes(16, 0), KdfParams{0, 0}).code(), Errc::bad_request);
  // A cost read from a tampered file must not stall the open.
  EXPECT_EQ(StorageKey::derive("p", Bytes(16, 0), KdfParams{KdfParams::kMaxOpslimit + 1, KdfParams::minimum().memlimit})
                .code(),
            Errc::bad_request);
  EXPECT_EQ(StorageKey::derive("p", Bytes(16, 0), KdfParams{KdfParams::minimum().opslimit, KdfParams::kMaxMemlimit + 1})
                .code(),
            Errc::bad_request);
}

}  // namespace
}  // namespace hush
