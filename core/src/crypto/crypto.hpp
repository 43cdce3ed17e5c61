// The one seam over libsodium and OpenSSL (style §9). Nothing else in libhush
// includes a crypto library header. Every function here is a primitive or a
// standard construction over one (HMAC, HKDF); protocol logic lives elsewhere.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hush/bytes.hpp"
#include "hush/result.hpp"

namespace hush::crypto {

using Key32 = Secret<32>;
using PublicU = std::array<std::uint8_t, 32>;

// Must run once before any other call; idempotent and thread-safe.
void init();

// --- X25519 (RFC 7748) -----------------------------------------------------
// Clamps a 32-byte scalar in place (facts §1).
void clamp(MutableByteView k32) noexcept;
// u = k·9. k must already be clamped.
PublicU x25519_base(const Key32& k);
// X25519(k, u). Never fails: an all-zero result is returned as is (libsignal
// does not reject it; facts §1).
Key32 x25519(const Key32& k, const PublicU& u);

// --- XEdDSA (spec §2–§3, as libsignal: facts §2) ---------------------------
std::array<std::uint8_t, 64> xeddsa_sign(const Key32& k, ByteView message,
                                         const std::array<std::uint8_t, 64>& random64);
bool xeddsa_verify(const PublicU& u, ByteView message, ByteView signature);

// --- Hashes and MACs ---------------------------------------------------------
std::array<std::uint8_t, 64> sha512(ByteView data);

class Sha512 {
 public:
  Sha512();
  ~Sha512();
  Sha512(const Sha512&) = delete;
  Sha512& operator=(const Sha512&) = delete;
  void update(ByteView data);
  // Returns the digest and leaves the object ready for a new hash.
  std::array<std::uint8_t, 64> finish();

 private:
  alignas(16) std::array<std::uint8_t, 256> state_;  // opaque backend state
};

// HMAC-SHA256 with a key prepared once (inner and outer pads hashed), so
// repeated MACs under one key (a chain key's 0x01 and 0x02, a MAC key over
// header and body) pay only for their data. Wipes its state on destruction.
class HmacSha256 {
 public:
  explicit HmacSha256(ByteView key);
  ~HmacSha256();
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  // Starts a new MAC under the prepared key (discarding any partial one).
  void reset();
  void update(ByteView data);
  // Writes the MAC and leaves the object ready for a new MAC under the same key.
  void finish(std::uint8_t out[32]);
  // One whole MAC: reset + update + finish.
  std::array<std::uint8_t, 32> mac(ByteView data);
  Key32 mac_secret(ByteView data);

 private:
  alignas(16) std::array<std::uint8_t, 512> state_;  // opaque backend state
};

// HKDF-SHA256 (RFC 5869). An empty salt means 32 zero bytes (§2.2).
// out.size() must be <= 255*32.
void hkdf_sha256(ByteView salt, ByteView ikm, ByteView info, MutableByteView out);

// --- AES-256-CBC with PKCS#7 -------------------------------------------------
// Preconditions (violations abort: they are programming errors, never input):
// key32 is 32 bytes, iv16 is 16 bytes, plaintext is under 2 GiB.
Bytes aes256_cbc_encrypt(ByteView key32, ByteView iv16, ByteView plaintext);
// invalid_message on empty input, a length that is not a multiple of 16, or
// bad padding (facts §1).
Result<SecretBytes> aes256_cbc_decrypt(ByteView key32, ByteView iv16, ByteView ciphertext);

// --- Storage at rest (hush/storage_key.hpp; not part of the protocol) -------
// Argon2id13 (crypto_pwhash). false when libsodium refuses the parameters or
// cannot allocate memlimit bytes.
bool argon2id(std::string_view passphrase, ByteView salt16, std::uint64_t opslimit, std::size_t memlimit,
              MutableByteView out32);
std::uint64_t argon2id_opslimit_interactive() noexcept;
std::size_t argon2id_memlimit_interactive() noexcept;
std::uint64_t argon2id_opslimit_min() noexcept;
std::size_t argon2id_memlimit_min() noexcept;
// Keyed BLAKE2b-256 (crypto_generichash) of `data` under a 32-byte key.
Key32 blake2b_keyed(const Key32& key, ByteView data);
// XChaCha20-Poly1305 IETF. `out` is plaintext.size() + 16 bytes.
void xchacha_seal(const Key32& key, ByteView nonce24, ByteView plaintext, ByteView ad, MutableByteView out);
// false (and `out` wiped) when the tag does not verify. `out` is
// sealed.size() - 16 bytes; sealed is at least 16 bytes.
bool xchacha_open(const Key32& key, ByteView nonce24, ByteView sealed, ByteView ad, MutableByteView out);

// --- Randomness ---------------------------------------------------------------
void random_fill(MutableByteView out);

}  // namespace hush::crypto
