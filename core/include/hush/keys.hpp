// Curve25519 keys in libsignal's serialization (facts §1): a public key is
// 33 bytes, 0x05 || u (X25519 u-coordinate, little endian); a private key is
// a 32-byte scalar, clamped on generation and on deserialization.
#pragma once

#include <array>
#include <compare>

#include "hush/bytes.hpp"
#include "hush/result.hpp"
#include "hush/rng.hpp"

namespace hush {

inline constexpr std::uint8_t kDjbKeyType = 0x05;
inline constexpr std::size_t kPublicKeySize = 33;
inline constexpr std::size_t kPrivateKeySize = 32;
inline constexpr std::size_t kSignatureSize = 64;

class PublicKey {
 public:
  PublicKey() = default;  // all-zero u; only as a placeholder before assignment
  // Parses libsignal's form. Errors (invalid_key): empty input, a type byte
  // other than 0x05, fewer than 33 bytes. Trailing bytes are ignored, as
  // libsignal does. No on-curve check (X25519 has none to make).
  static Result<PublicKey> deserialize(ByteView bytes);
  // From the raw 32-byte u-coordinate.
  static PublicKey from_u(const std::array<std::uint8_t, 32>& u) noexcept { return PublicKey(u); }

  std::array<std::uint8_t, kPublicKeySize> serialize() const noexcept;
  const std::array<std::uint8_t, 32>& u() const noexcept { return u_; }

  // Constant-time equality; ordering as libsignal (memcmp order, facts §1).
  friend bool operator==(const PublicKey& a, const PublicKey& b) noexcept;
  friend std::strong_ordering operator<=>(const PublicKey& a, const PublicKey& b) noexcept;

  // XEdDSA verification (facts §2). False for any malformed signature.
  bool verify(ByteView message, ByteView signature) const;

 private:
  explicit PublicKey(const std::array<std::uint8_t, 32>& u) noexcept : u_(u) {}
  std::array<std::uint8_t, 32> u_{};
};

class PrivateKey {
 public:
  // Exactly 32 bytes, else invalid_key. Clamps, as libsignal does.
  static Result<PrivateKey> deserialize(ByteView bytes);
  static PrivateKey generate(Rng& rng);

  ByteView serialize() const noexcept { return k_.view(); }
  PublicKey public_key() const;
  PrivateKey clone() const { return PrivateKey(k_.clone()); }

  // X25519(this, their). libsignal does not reject an all-zero result, and
  // neither do we (facts §1), so this cannot fail.
  Secret<32> agree(const PublicKey& their) const;

  // XEdDSA signature (facts §2) with 64 fresh random bytes from rng.
  std::array<std::uint8_t, kSignatureSize> sign(ByteView message, Rng& rng) const;

 private:
  explicit PrivateKey(Secret<32> k) noexcept : k_(std::move(k)) {}
  Secret<32> k_;
};

struct KeyPair {
  PublicKey public_key;
  PrivateKey private_key;

  static KeyPair generate(Rng& rng);
  static KeyPair from_private(PrivateKey priv);
  KeyPair clone() const { return KeyPair{public_key, private_key.clone()}; }
};

using IdentityKey = PublicKey;
using IdentityKeyPair = KeyPair;

}  // namespace hush
