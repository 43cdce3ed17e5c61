#include "common/encoding.hpp"

#include <sodium.h>

#include <cstdlib>
#include <cstring>

namespace hush::server {

void init_crypto() {
  if (sodium_init() < 0) std::abort();
}

std::array<std::uint8_t, 32> sha256(ByteView data) {
  std::array<std::uint8_t, 32> out{};
  crypto_hash_sha256(out.data(), data.data(), data.size());
  return out;
}

void random_fill(MutableByteView out) { randombytes_buf(out.data(), out.size()); }

void random_fill_buffered(MutableByteView out) {
  constexpr std::size_t kSize = 4096;
  thread_local std::array<std::uint8_t, kSize> pool{};
  thread_local std::size_t used = kSize;
  if (out.size() > kSize / 4) return random_fill(out);
  if (kSize - used < out.size()) {
    randombytes_buf(pool.data(), pool.size());
    used = 0;
  }
  std::memcpy(out.data(), pool.data() + used, out.size());
  // Each byte is handed out once.
  sodium_memzero(pool.data() + used, out.size());
  used += out.size();
}

std::string random_token(std::size_t bytes) {
  Bytes raw(bytes);
  random_fill(raw);
  constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(raw.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(), variant);
  out.pop_back();
  return out;
}

}  // namespace hush::server
