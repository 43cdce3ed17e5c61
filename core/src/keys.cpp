// Curve25519 keys in libsignal's serialization (rust/core/src/curve.rs,
// facts §1). All arithmetic goes through the crypto seam.
#include "hush/keys.hpp"

#include <string>

#include "crypto/crypto.hpp"

namespace hush {

// --- PublicKey ---------------------------------------------------------------

// curve.rs PublicKey::deserialize: the checks run in this order and trailing
// bytes after the 33rd are ignored ("We allow trailing data"). There is no
// curve check to make: every 32-byte string is an X25519 u-coordinate.
Result<PublicKey> PublicKey::deserialize(ByteView bytes) {
  if (bytes.empty()) return make_error(Errc::invalid_key, "no key type identifier");
  if (bytes[0] != kDjbKeyType) {
    return make_error(Errc::invalid_key, "bad key type <" + std::to_string(bytes[0]) + ">");
  }
  if (bytes.size() < kPublicKeySize) {
    return make_error(Errc::invalid_key, "bad key length <" + std::to_string(bytes.size()) + ">");
  }
  std::array<std::uint8_t, 32> u{};
  for (std::size_t i = 0; i < u.size(); ++i) u[i] = bytes[1 + i];
  return PublicKey(u);
}

std::array<std::uint8_t, kPublicKeySize> PublicKey::serialize() const noexcept {
  std::array<std::uint8_t, kPublicKeySize> out{};
  out[0] = kDjbKeyType;
  for (std::size_t i = 0; i < u_.size(); ++i) out[1 + i] = u_[i];
  return out;
}

// There is one key type, so equality is a constant-time comparison of u
// (libsignal compares type and bytes with subtle::ConstantTimeEq).
bool operator==(const PublicKey& a, const PublicKey& b) noexcept { return ct_equal(a.u_, b.u_); }

// memcmp order without data-dependent branches, as libsignal's ct ordering:
// scanning from the last byte to the first, every differing byte overrides
// the verdict, so the first differing byte decides.
std::strong_ordering operator<=>(const PublicKey& a, const PublicKey& b) noexcept {
  unsigned gt = 0;
  unsigned lt = 0;
  for (std::size_t i = a.u_.size(); i-- > 0;) {
    const int x = a.u_[i];
    const int y = b.u_[i];
    const unsigned g = static_cast<unsigned>((y - x) >> 8) & 1u;  // x > y
    const unsigned l = static_cast<unsigned>((x - y) >> 8) & 1u;  // x < y
    const unsigned differ = 0u - (g | l);                          // all ones if x != y
    gt = (gt & ~differ) | (g & differ);
    lt = (lt & ~differ) | (l & differ);
  }
  if (gt != 0) return std::strong_ordering::greater;
  if (lt != 0) return std::strong_ordering::less;
  return std::strong_ordering::equal;
}

bool PublicKey::verify(ByteView message, ByteView signature) const {
  return crypto::xeddsa_verify(u_, message, signature);
}

// --- PrivateKey ----------------------------------------------------------------

// curve.rs PrivateKey::deserialize: exactly 32 bytes, clamped "for backward
// compatibility", and the clamped bytes are what serialize() returns.
Result<PrivateKey> PrivateKey::deserialize(ByteView bytes) {
  if (bytes.size() != kPrivateKeySize) {
    return make_error(Errc::invalid_key, "bad key length <" + std::to_string(bytes.size()) + ">");
  }
  Secret<32> k(bytes);
  crypto::clamp(k.mut());
  return PrivateKey(std::move(k));
}

// 32 random bytes, clamped (facts §1).
PrivateKey PrivateKey::generate(Rng& rng) {
  Secret<32> k;
  rng.fill(k.mut());
  crypto::clamp(k.mut());
  return PrivateKey(std::move(k));
}

PublicKey PrivateKey::public_key() const { return PublicKey::from_u(crypto::x25519_base(k_)); }

Secret<32> PrivateKey::agree(const PublicKey& their) const { return crypto::x25519(k_, their.u()); }

std::array<std::uint8_t, kSignatureSize> PrivateKey::sign(ByteView message, Rng& rng) const {
  // XEdDSA's Z: 64 fresh random bytes per signature (facts §2 step 2).
  std::array<std::uint8_t, 64> z{};
  rng.fill(z);
  auto sig = crypto::xeddsa_sign(k_, message, z);
  secure_wipe(z.data(), z.size());
  return sig;
}

// --- KeyPair -------------------------------------------------------------------

KeyPair KeyPair::generate(Rng& rng) { return from_private(PrivateKey::generate(rng)); }

KeyPair KeyPair::from_private(PrivateKey priv) {
  PublicKey pub = priv.public_key();
  return KeyPair{pub, std::move(priv)};
}

}  // namespace hush
