// Primitives for encryption at rest (hush/storage_key.hpp): Argon2id,
// keyed BLAKE2b and XChaCha20-Poly1305, all libsodium.
#include <sodium.h>

#include <cassert>

#include "crypto/crypto.hpp"

namespace hush::crypto {

bool argon2id(std::string_view passphrase, ByteView salt16, std::uint64_t opslimit, std::size_t memlimit,
              MutableByteView out32) {
  init();
  assert(salt16.size() == crypto_pwhash_SALTBYTES && out32.size() == 32);
  return crypto_pwhash(out32.data(), out32.size(), passphrase.data(), passphrase.size(), salt16.data(),
                       opslimit, memlimit, crypto_pwhash_ALG_ARGON2ID13) == 0;
}

std::uint64_t argon2id_opslimit_interactive() noexcept { return crypto_pwhash_OPSLIMIT_INTERACTIVE; }
std::size_t argon2id_memlimit_interactive() noexcept { return crypto_pwhash_MEMLIMIT_INTERACTIVE; }
std::uint64_t argon2id_opslimit_min() noexcept { return crypto_pwhash_OPSLIMIT_MIN; }
std::size_t argon2id_memlimit_min() noexcept { return crypto_pwhash_MEMLIMIT_MIN; }

Key32 blake2b_keyed(const Key32& key, ByteView data) {
  init();
  Key32 out;
  crypto_generichash(out.data(), out.size(), data.data(), data.size(), key.data(), key.size());
  return out;
}

void xchacha_seal(const Key32& key, ByteView nonce24, ByteView plaintext, ByteView ad, MutableByteView out) {
  init();
  assert(nonce24.size() == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  assert(out.size() == plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data(), nullptr, plaintext.data(), plaintext.size(), ad.data(),
                                             ad.size(), nullptr, nonce24.data(), key.data());
}

bool xchacha_open(const Key32& key, ByteView nonce24, ByteView sealed, ByteView ad, MutableByteView out) {
  init();
  assert(nonce24.size() == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  assert(sealed.size() >= crypto_aead_xchacha20poly1305_ietf_ABYTES);
  assert(out.size() == sealed.size() - crypto_aead_xchacha20poly1305_ietf_ABYTES);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(out.data(), nullptr, nullptr, sealed.data(), sealed.size(),
                                                 ad.data(), ad.size(), nonce24.data(), key.data()) != 0) {
    if (!out.empty()) sodium_memzero(out.data(), out.size());
    return false;
  }
  return true;
}

}  // namespace hush::crypto
