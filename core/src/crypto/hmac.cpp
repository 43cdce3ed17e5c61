// HMAC-SHA256 (RFC 2104, FIPS 198-1) with a prepared key.
//
// Backend choice (measured on the build machine, -O2, 32-byte key, per MAC):
//   libsodium crypto_auth_hmacsha256, prepared state copied:  305 ns (1 B), 603 ns (120 B)
//   OpenSSL one-shot HMAC():                                   916 ns,        988 ns
//   OpenSSL EVP_MAC, prepared ctx duplicated (EVP_MAC_CTX_dup): 381 ns,        445 ns
//   RFC 2104 over OpenSSL's low-level SHA256_CTX, pads
//   precomputed once and the two states copied per MAC:          93 ns,        151 ns
// The last wins by 3-4x: OpenSSL's SHA-256 uses the SHA-NI instructions
// (libsodium's does not) and the plain struct copy avoids EVP's per-call
// allocation and provider dispatch. The ratchet MACs a single byte twice per
// message key (facts §4 KDF_CK), so the small-input cost is what matters.
//
// The SHA256_* functions are deprecated in OpenSSL 3.0 (still present and
// supported through 3.x); this file alone opts back in. tests/core/
// crypto_test.cpp cross-checks this construction against OpenSSL's HMAC().
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <cstring>
#include <new>

#include "crypto/crypto.hpp"

namespace hush::crypto {

namespace {

constexpr std::size_t kBlockSize = SHA256_CBLOCK;  // 64, RFC 2104 "B"
constexpr std::size_t kHashSize = SHA256_DIGEST_LENGTH;  // 32, RFC 2104 "L"

// inner/outer: SHA-256 states after absorbing K^ipad and K^opad (one block
// each), computed once per key. work: the MAC in progress. pending: data has
// been fed since the last finish/reset, so work is no longer a copy of inner.
struct HmacState {
  SHA256_CTX inner;
  SHA256_CTX outer;
  SHA256_CTX work;
  bool pending;
};
static_assert(sizeof(HmacState) <= 512, "HmacSha256::state_ too small");
static_assert(alignof(HmacState) <= 16, "HmacSha256::state_ under-aligned");

HmacState& state_of(std::array<std::uint8_t, 512>& raw) {
  return *std::launder(reinterpret_cast<HmacState*>(raw.data()));
}

}  // namespace

HmacSha256::HmacSha256(ByteView key) {
  auto& st = *::new (static_cast<void*>(state_.data())) HmacState;

  // RFC 2104 §2: a key longer than B is replaced by H(key); a shorter one is
  // padded with zeros to B bytes.
  std::uint8_t k[kBlockSize] = {};
  if (key.size() > kBlockSize) {
    SHA256_Init(&st.work);
    SHA256_Update(&st.work, key.data(), key.size());
    SHA256_Final(k, &st.work);
  } else if (!key.empty()) {
    std::memcpy(k, key.data(), key.size());
  }

  std::uint8_t pad[kBlockSize];
  for (std::size_t i = 0; i < kBlockSize; ++i) pad[i] = static_cast<std::uint8_t>(k[i] ^ 0x36);
  SHA256_Init(&st.inner);
  SHA256_Update(&st.inner, pad, kBlockSize);
  for (std::size_t i = 0; i < kBlockSize; ++i) pad[i] = static_cast<std::uint8_t>(k[i] ^ 0x5c);
  SHA256_Init(&st.outer);
  SHA256_Update(&st.outer, pad, kBlockSize);

  secure_wipe(k, sizeof k);
  secure_wipe(pad, sizeof pad);
  st.work = st.inner;
  st.pending = false;
}

// Every state is key-derived, so all of it is wiped.
HmacSha256::~HmacSha256() { secure_wipe(state_.data(), state_.size()); }

void HmacSha256::reset() {
  auto& st = state_of(state_);
  if (st.pending) st.work = st.inner;
  st.pending = false;
}

void HmacSha256::update(ByteView data) {
  auto& st = state_of(state_);
  st.pending = true;
  if (!data.empty()) SHA256_Update(&st.work, data.data(), data.size());
}

// HMAC = H(K^opad || H(K^ipad || text)). Leaves the object ready for a new MAC
// under the same key, as if reset() had been called.
void HmacSha256::finish(std::uint8_t out[32]) {
  auto& st = state_of(state_);
  std::uint8_t inner_hash[kHashSize];
  SHA256_Final(inner_hash, &st.work);
  st.work = st.outer;
  SHA256_Update(&st.work, inner_hash, kHashSize);
  SHA256_Final(out, &st.work);
  secure_wipe(inner_hash, sizeof inner_hash);
  st.work = st.inner;
  st.pending = false;
}

std::array<std::uint8_t, 32> HmacSha256::mac(ByteView data) {
  std::array<std::uint8_t, 32> out{};
  reset();
  update(data);
  finish(out.data());
  return out;
}

Key32 HmacSha256::mac_secret(ByteView data) {
  Key32 out;
  reset();
  update(data);
  finish(out.data());
  return out;
}

}  // namespace hush::crypto
