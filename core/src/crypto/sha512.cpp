// SHA-512 (FIPS 180-4), one-shot and incremental. Used by XEdDSA (facts §2)
// and the fingerprint iteration (facts §8).
//
// Backend: OpenSSL's low-level SHA512_CTX, as hmac.cpp uses SHA256_CTX. The
// fingerprint is 2 x 5200 chained hashes of ~100 bytes, so per-call overhead
// and the compression function decide its cost: measured 2.24 ms with
// libsodium's SHA-512 against 1.41 ms here (docs/BENCHMARKS.md), where
// libsignal-client takes 1.6-1.7 ms. The SHA512_* functions are deprecated in
// OpenSSL 3.0 but present and supported through 3.x; this file alone opts in.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <new>

#include "crypto/crypto.hpp"

namespace hush::crypto {

namespace {

// The opaque buffer in crypto.hpp holds the OpenSSL state in place.
static_assert(sizeof(SHA512_CTX) <= 256, "Sha512::state_ too small");
static_assert(alignof(SHA512_CTX) <= 16, "Sha512::state_ under-aligned");

SHA512_CTX* ctx(std::array<std::uint8_t, 256>& state) {
  return std::launder(reinterpret_cast<SHA512_CTX*>(state.data()));
}

}  // namespace

std::array<std::uint8_t, 64> sha512(ByteView data) {
  std::array<std::uint8_t, 64> out{};
  SHA512_CTX c;
  SHA512_Init(&c);
  SHA512_Update(&c, data.data(), data.size());
  SHA512_Final(out.data(), &c);
  secure_wipe(&c, sizeof c);  // may hold secret input (XEdDSA hashes the private key)
  return out;
}

// The state may hold secret input, so the destructor wipes it; finish()
// re-initialises so the object can be reused for the next hash without
// another construction (the fingerprint loop runs thousands back to back).
Sha512::Sha512() {
  auto* st = ::new (static_cast<void*>(state_.data())) SHA512_CTX;
  SHA512_Init(st);
}

Sha512::~Sha512() { secure_wipe(state_.data(), state_.size()); }

void Sha512::update(ByteView data) { SHA512_Update(ctx(state_), data.data(), data.size()); }

std::array<std::uint8_t, 64> Sha512::finish() {
  std::array<std::uint8_t, 64> out{};
  SHA512_Final(out.data(), ctx(state_));
  SHA512_Init(ctx(state_));
  return out;
}

}  // namespace hush::crypto
