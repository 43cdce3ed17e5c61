// X25519 (RFC 7748 §5) in libsignal's key conventions (facts §1).
#include <sodium.h>

#include "crypto/crypto.hpp"

namespace hush::crypto {

static_assert(crypto_scalarmult_BYTES == 32 && crypto_scalarmult_SCALARBYTES == 32);

// RFC 7748 §5 decodeScalar25519, applied to the stored bytes: libsignal clamps
// on generation and on deserialization, and serializes the clamped form
// (facts §1), so the clamp is visible in the key bytes, not only inside the
// scalar multiplication.
void clamp(MutableByteView k32) noexcept {
  k32[0] &= 0xF8;
  k32[31] &= 0x7F;
  k32[31] |= 0x40;
}

PublicU x25519_base(const Key32& k) {
  init();
  PublicU u{};
  // Only fails for an all-zero output, impossible for a clamped scalar times
  // the base point (the result has prime order).
  (void)crypto_scalarmult_base(u.data(), k.data());
  return u;
}

Key32 x25519(const Key32& k, const PublicU& u) {
  init();
  Key32 out;
  // crypto_scalarmult returns -1 when the peer point has small order (some
  // back ends check a blacklist before multiplying and then write nothing) or
  // the result is all zero. For a clamped scalar both mean the X25519 output
  // is the all-zero string, which libsignal does not reject (facts §1), so
  // neither do we: write it explicitly rather than rely on what the back end
  // left in the buffer. Bit 255 of u is ignored, as RFC 7748 §5 says.
  if (crypto_scalarmult(out.data(), k.data(), u.data()) != 0) secure_wipe(out.data(), out.size());
  return out;
}

}  // namespace hush::crypto
