// SHA-512 (FIPS 180-4) over libsodium, one-shot and incremental. Used by
// XEdDSA (facts §2) and the fingerprint iteration (facts §8).
#include <sodium.h>

#include <new>

#include "crypto/crypto.hpp"

namespace hush::crypto {

namespace {

// The opaque buffer in crypto.hpp holds the libsodium state in place; check
// at compile time that it fits and is aligned enough.
static_assert(sizeof(crypto_hash_sha512_state) <= 256, "Sha512::state_ too small");
static_assert(alignof(crypto_hash_sha512_state) <= 16, "Sha512::state_ under-aligned");

}  // namespace

std::array<std::uint8_t, 64> sha512(ByteView data) {
  std::array<std::uint8_t, 64> out{};
  crypto_hash_sha512(out.data(), data.data(), data.size());
  return out;
}

// The state may hold secret input (XEdDSA hashes the private key), so the
// destructor wipes it; finish() re-initialises so the object can be reused
// for the next hash without another construction (the fingerprint loop runs
// thousands of hashes back to back).
Sha512::Sha512() {
  auto* st = ::new (static_cast<void*>(state_.data())) crypto_hash_sha512_state;
  crypto_hash_sha512_init(st);
}

Sha512::~Sha512() { secure_wipe(state_.data(), state_.size()); }

void Sha512::update(ByteView data) {
  auto* st = std::launder(reinterpret_cast<crypto_hash_sha512_state*>(state_.data()));
  crypto_hash_sha512_update(st, data.data(), data.size());
}

std::array<std::uint8_t, 64> Sha512::finish() {
  auto* st = std::launder(reinterpret_cast<crypto_hash_sha512_state*>(state_.data()));
  std::array<std::uint8_t, 64> out{};
  crypto_hash_sha512_final(st, out.data());  // also wipes *st
  crypto_hash_sha512_init(st);
  return out;
}

}  // namespace hush::crypto
