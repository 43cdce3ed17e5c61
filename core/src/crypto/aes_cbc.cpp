// AES-256-CBC with PKCS#7 padding (libsignal rust/crypto/src/aes_cbc.rs,
// facts §1) over OpenSSL EVP.
//
// The cipher is fetched from the provider once per process and each thread
// keeps one EVP_CIPHER_CTX bound to it. Each call re-keys that context by
// passing a NULL cipher to EVP_*Init_ex2, which keeps the provider's cipher
// context; passing the cipher again, or calling EVP_CIPHER_CTX_reset, frees
// and reallocates it. Measured for a 100-byte message: 187 ns reused against
// 244-265 ns reset or freshly allocated.
//
// Trade-off: the expanded key (and, after a decryption, the last plaintext
// block) stays in the thread's context until the next AES call on that thread
// overwrites it, or the thread exits (EVP_CIPHER_CTX_free cleanses it).
// Re-keying with a dummy key after each call would erase it but costs as much
// as the allocation it avoids (~270 ns measured).
//
// Padding oracle: OpenSSL's PKCS#7 check is not constant time. That is
// acceptable because no caller decrypts unauthenticated data: a 1:1 message's
// MAC and a sender-key message's signature are verified before decryption
// (facts §4, §7), and every failure maps to the same invalid_message.
#include <openssl/err.h>
#include <openssl/evp.h>

#include <climits>
#include <cstdlib>
#include <memory>

#include "crypto/crypto.hpp"

namespace hush::crypto {

namespace {

constexpr std::size_t kKeySize = 32;
constexpr std::size_t kIvSize = 16;
constexpr std::size_t kBlock = 16;
// EVP lengths are int; nothing in the protocol comes near this.
constexpr std::size_t kMaxInput = static_cast<std::size_t>(INT_MAX) - 2 * kBlock;

const EVP_CIPHER* aes256_cbc() {
  // Thread-safe one-time fetch; never freed (process lifetime).
  static const EVP_CIPHER* cipher = [] {
    const EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr);
    if (c == nullptr) std::abort();  // no default provider: nothing can work
    return c;
  }();
  return cipher;
}

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};

// One context per thread, bound to AES-256-CBC once; see the note at the top.
EVP_CIPHER_CTX* thread_ctx() {
  thread_local std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx = [] {
    std::unique_ptr<EVP_CIPHER_CTX, CtxFree> c(EVP_CIPHER_CTX_new());
    if (!c || EVP_CipherInit_ex2(c.get(), aes256_cbc(), nullptr, nullptr, 1, nullptr) != 1) std::abort();
    return c;
  }();
  return ctx.get();
}

// OpenSSL reports failures on a per-thread error queue; drain it so one
// rejected ciphertext does not surface later in unrelated code.
Error decrypt_failed(const char* what) {
  ERR_clear_error();
  return make_error(Errc::invalid_message, what);
}

}  // namespace

Bytes aes256_cbc_encrypt(ByteView key32, ByteView iv16, ByteView plaintext) {
  // Keys and IVs come from our own KDFs (facts §4, §7); a wrong size is a
  // programming error with no safe fallback.
  if (key32.size() != kKeySize || iv16.size() != kIvSize || plaintext.size() > kMaxInput) std::abort();
  EVP_CIPHER_CTX* ctx = thread_ctx();
  // PKCS#7 always adds 1..16 bytes.
  Bytes out(plaintext.size() + kBlock - plaintext.size() % kBlock);
  int n1 = 0;
  int n2 = 0;
  bool ok = EVP_EncryptInit_ex2(ctx, nullptr, key32.data(), iv16.data(), nullptr) == 1 &&
            EVP_EncryptUpdate(ctx, out.data(), &n1, plaintext.data(), static_cast<int>(plaintext.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx, out.data() + n1, &n2) == 1;
  if (!ok || static_cast<std::size_t>(n1) + static_cast<std::size_t>(n2) != out.size()) std::abort();
  return out;
}

Result<SecretBytes> aes256_cbc_decrypt(ByteView key32, ByteView iv16, ByteView ciphertext) {
  if (key32.size() != kKeySize || iv16.size() != kIvSize) {
    return make_error(Errc::bad_request, "AES-256-CBC needs a 32-byte key and a 16-byte IV");
  }
  // aes_cbc.rs rejects these before touching the cipher.
  if (ciphertext.empty() || ciphertext.size() % kBlock != 0) {
    return make_error(Errc::invalid_message, "ciphertext length must be a non-zero multiple of 16");
  }
  if (ciphertext.size() > kMaxInput) return make_error(Errc::invalid_message, "ciphertext too long");
  EVP_CIPHER_CTX* ctx = thread_ctx();
  // EVP_DecryptUpdate may write up to inl + block_size - 1 bytes (OpenSSL
  // docs); the plaintext is then shortened in place, wiping the tail.
  SecretBytes out(ciphertext.size() + kBlock);
  int n1 = 0;
  int n2 = 0;
  bool ok = EVP_DecryptInit_ex2(ctx, nullptr, key32.data(), iv16.data(), nullptr) == 1 &&
            EVP_DecryptUpdate(ctx, out.data(), &n1, ciphertext.data(), static_cast<int>(ciphertext.size())) == 1 &&
            EVP_DecryptFinal_ex(ctx, out.data() + n1, &n2) == 1;  // checks the padding
  if (!ok) return decrypt_failed("failed to decrypt");
  out.resize(static_cast<std::size_t>(n1) + static_cast<std::size_t>(n2));
  return out;
}

}  // namespace hush::crypto
