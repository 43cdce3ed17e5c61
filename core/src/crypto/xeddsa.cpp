// XEdDSA over Curve25519 as libsignal implements it (XEdDSA spec rev 1 §2.3,
// §2.5, §3; libsignal rust/core/src/curve/curve25519.rs; facts §2).
//
// libsignal's variant differs from the spec's calculate_key_pair: the private
// scalar a is never negated. A = a·B keeps whatever sign bit it has and that
// bit travels in bit 7 of sig[63] (s < 2^253 leaves it free). The verifier
// rebuilds A from the Montgomery u and that bit.
//
// Everything is composed from libsodium's Ed25519 operations; the one
// piece libsodium lacks, the public birational map u -> y = (u-1)/(u+1) mod p,
// uses OpenSSL BIGNUM (public data, so constant time is not needed there).
//
// Verification reproduces libsignal's computation: with s reduced mod L and
// the sign bit cleared, libsodium 1.0.18's crypto_sign_ed25519_verify_detached
// computes R' = s·B - h·A with h = SHA-512(R || A || M) mod L, compresses it
// canonically and compares it with R in constant time, which is exactly what
// curve25519-dalek does for libsignal. Reducing s ourselves is what lets
// s in [L, 2^253) verify as libsignal allows (verify_detached alone refuses
// s >= L). Unlike crypto_scalarmult_ed25519_noclamp, verify_detached does not
// require A to lie in the prime-order subgroup, so a key with a torsion
// component is treated as libsignal treats it. (Read from libsodium's
// 1.0.18-RELEASE source, crypto_sign/ed25519/ref10/open.c, and measured: 56 us
// per verification against 215 us for a separate s·B, h·A and subtraction.)
//
// Remaining differences, both stricter than libsignal and neither reachable by
// an honest signer:
//  * A of small order (u = 0, 1, the order-4/8 points, ...) is refused. For
//    such keys libsignal accepts forgeries made without any private key (for
//    u = 0, A has order 2 and any (r·B, r) verifies whenever h is even).
//    No clamped private key produces one: u = k·9 has prime order.
//  * R that encodes a point of small order (e.g. the identity) is refused.
//    libsignal accepts it when s·B - h·A lands there, which needs r ≡ 0, i.e.
//    a signer who knows the private key and deliberately chooses it.
// Everything else matches: the length check, u reduced mod p with u = p-1
// refused, failed decompression refused, the s < 2^253 check, s mod L.
#include <openssl/bn.h>
#include <sodium.h>

#include <cstring>
#include <memory>

#include "crypto/crypto.hpp"

namespace hush::crypto {

namespace {

static_assert(crypto_core_ed25519_BYTES == 32 && crypto_core_ed25519_SCALARBYTES == 32);
static_assert(crypto_core_ed25519_NONREDUCEDSCALARBYTES == 64);

using Bytes32 = std::array<std::uint8_t, 32>;

// The compressed Edwards identity (x = 0, y = 1).
constexpr Bytes32 kIdentity = {1};

// XEdDSA §2.5 hash_1 prefix: 2^256 - 2 in little endian, i.e. 0xFE then 31
// bytes of 0xFF. It separates the nonce hash from the challenge hash.
constexpr Bytes32 kHash1Prefix = {0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                  0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                  0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

// x mod L for a 32-byte little-endian x (libsodium reduces 64-byte inputs).
void reduce32(std::uint8_t out[32], const std::uint8_t in[32]) {
  std::uint8_t wide[64] = {};
  std::memcpy(wide, in, 32);
  crypto_core_ed25519_scalar_reduce(out, wide);
  sodium_memzero(wide, sizeof wide);
}

// SHA-512(R || A || M) mod L, the challenge h (XEdDSA §3, libsignal's order).
void challenge(std::uint8_t h[32], const std::uint8_t r_enc[32], const std::uint8_t a_enc[32],
               ByteView message) {
  Sha512 hash;
  hash.update(ByteView(r_enc, 32));
  hash.update(ByteView(a_enc, 32));
  hash.update(message);
  auto digest = hash.finish();
  crypto_core_ed25519_scalar_reduce(h, digest.data());
}

// n·B. libsodium returns -1 (after writing the point) when n ≡ 0 or the
// result is the identity; for n < L both mean n = 0 and the answer is the
// identity, so write that explicitly instead of relying on the buffer.
void base_mul(std::uint8_t out[32], const std::uint8_t n[32]) {
  if (crypto_scalarmult_ed25519_base_noclamp(out, n) != 0) std::memcpy(out, kIdentity.data(), 32);
}

struct BnCtxDone {
  void operator()(BN_CTX* c) const noexcept {
    BN_CTX_end(c);
    BN_CTX_free(c);
  }
};

// p = 2^255 - 19, built once (read-only afterwards, so shareable by threads).
const BIGNUM* field_prime() {
  static const BIGNUM* p = [] {
    BIGNUM* b = BN_new();
    if (b == nullptr || BN_set_bit(b, 255) != 1 || BN_sub_word(b, 19) != 1) std::abort();
    return b;
  }();
  return p;
}

// Montgomery u -> Edwards y (XEdDSA §2.3 / RFC 7748 §4.1): y = (u-1)/(u+1)
// mod p, written canonically (y < p) in 32 little-endian bytes with bit 255
// clear. As libsignal does (dalek MontgomeryPoint::to_edwards): bit 255 of u
// is ignored, u >= p is reduced rather than refused, and u = p-1, where the
// map is undefined, is refused. Returns false on refusal or if OpenSSL fails
// to allocate (verification then fails closed).
bool edwards_y_from_u(const PublicU& u_bytes, std::uint8_t y_out[32]) {
  std::unique_ptr<BN_CTX, BnCtxDone> owner(BN_CTX_new());
  BN_CTX* ctx = owner.get();
  if (ctx == nullptr) return false;
  BN_CTX_start(ctx);
  BIGNUM* u = BN_CTX_get(ctx);
  BIGNUM* num = BN_CTX_get(ctx);
  BIGNUM* den = BN_CTX_get(ctx);
  BIGNUM* y = BN_CTX_get(ctx);
  if (y == nullptr) return false;  // BN_CTX_get fails sticky: last one tells
  const BIGNUM* p = field_prime();

  Bytes32 masked = u_bytes;
  masked[31] &= 0x7F;
  if (BN_lebin2bn(masked.data(), 32, u) == nullptr || BN_nnmod(u, u, p, ctx) != 1) return false;
  // u == p-1  <=>  u + 1 == p, checked on den before it is reduced.
  if (BN_copy(den, u) == nullptr || BN_add_word(den, 1) != 1) return false;
  if (BN_cmp(den, p) == 0) return false;
  if (BN_mod_sub(num, u, BN_value_one(), p, ctx) != 1) return false;
  if (BN_mod_inverse(den, den, p, ctx) == nullptr) return false;
  if (BN_mod_mul(y, num, den, p, ctx) != 1) return false;
  return BN_bn2lebinpad(y, y_out, 32) == 32;
}

}  // namespace

std::array<std::uint8_t, 64> xeddsa_sign(const Key32& k, ByteView message,
                                         const std::array<std::uint8_t, 64>& random64) {
  init();
  // Step 1: A = a·B. The clamped k can be used directly: k·B = (k mod L)·B.
  // Never the identity for a clamped k (k mod L != 0), so the return value
  // carries no information here.
  std::uint8_t a_enc[32];
  (void)crypto_scalarmult_ed25519_base_noclamp(a_enc, k.data());
  const std::uint8_t sign_bit = a_enc[31] & 0x80;

  // Step 2: r = hash_1(k || M || Z) mod L = SHA-512(0xFE 0xFF*31 || k || M || Z).
  std::uint8_t r[32];
  {
    Sha512 nonce_hash;
    nonce_hash.update(kHash1Prefix);
    nonce_hash.update(k.view());
    nonce_hash.update(message);
    nonce_hash.update(random64);
    auto digest = nonce_hash.finish();
    crypto_core_ed25519_scalar_reduce(r, digest.data());
    sodium_memzero(digest.data(), digest.size());
  }

  // Step 3: R = r·B.
  std::uint8_t r_enc[32];
  base_mul(r_enc, r);

  // Step 4: h = SHA-512(R || A || M) mod L; s = h·a + r mod L.
  std::uint8_t h[32];
  challenge(h, r_enc, a_enc, message);
  std::uint8_t a[32];
  reduce32(a, k.data());
  std::uint8_t ha[32];
  std::uint8_t s[32];
  crypto_core_ed25519_scalar_mul(ha, h, a);
  crypto_core_ed25519_scalar_add(s, ha, r);

  // Step 5: R || s, with A's sign bit in the top bit (free since s < L < 2^253).
  std::array<std::uint8_t, 64> sig{};
  std::memcpy(sig.data(), r_enc, 32);
  std::memcpy(sig.data() + 32, s, 32);
  sig[63] = static_cast<std::uint8_t>((sig[63] & 0x7F) | sign_bit);

  // r and a are secret; h·a reveals a given h. s, R, A, h are public.
  sodium_memzero(r, sizeof r);
  sodium_memzero(a, sizeof a);
  sodium_memzero(ha, sizeof ha);
  return sig;
}

bool xeddsa_verify(const PublicU& u, ByteView message, ByteView signature) {
  init();
  // Step 1: exactly 64 bytes.
  if (signature.size() != 64) return false;

  // Steps 2-3: A from u and the sign bit carried in sig[63]. Decompression
  // (inside verify_detached) fails for a y that is not on the curve, as in
  // libsignal.
  std::uint8_t a_enc[32];
  if (!edwards_y_from_u(u, a_enc)) return false;
  a_enc[31] |= signature[63] & 0x80;

  // Step 4: s with bit 255 cleared must be < 2^253, then is reduced mod L.
  std::uint8_t sig[64];
  std::memcpy(sig, signature.data(), 64);
  sig[63] &= 0x7F;
  if ((sig[63] & 0xE0) != 0) return false;
  reduce32(sig + 32, sig + 32);

  // Step 5: R' = s·B - h·A, h = SHA-512(R || A || M) mod L, compared with R in
  // constant time (see the note at the top for what else it refuses).
  static const std::uint8_t kNoData = 0;
  const std::uint8_t* m = message.empty() ? &kNoData : message.data();
  return crypto_sign_ed25519_verify_detached(sig, m, message.size(), a_enc) == 0;
}

}  // namespace hush::crypto
