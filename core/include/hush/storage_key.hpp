// StorageKey: encryption at rest for local stores (a client profile's
// private keys, session state and message bodies). A passphrase is stretched
// with Argon2id (libsodium crypto_pwhash, a random 16-byte salt kept next to
// the data) into a 32-byte key; values are sealed with XChaCha20-Poly1305
// under a random 24-byte nonce. Every sealed value is bound to associated
// data that names where it lives (table and row), so a value moved to another
// row, or a row from another store, does not open.
//
// This is not part of the Signal protocol; libsignal leaves storage to the
// application. The construction is libsodium's documented one (secretbox-style
// AEAD with random nonces; 192-bit nonces make collisions negligible).
//
// Errors: derive() fails with bad_request for parameters outside libsodium's
// limits or above KdfParams' maximums and storage when the memory for Argon2id cannot be had; open() fails
// with storage when a value does not authenticate (wrong key, tampered or
// moved value) — callers that can tell a wrong passphrase (a check value)
// report Errc::wrong_passphrase themselves.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hush/bytes.hpp"
#include "hush/result.hpp"
#include "hush/rng.hpp"

namespace hush {

// Argon2id cost. Stored with the salt so a store opens with the cost it was
// created with, whatever the current default is.
struct KdfParams {
  std::uint64_t opslimit = 0;
  std::size_t memlimit = 0;  // bytes

  // derive() refuses more (bad_request): the cost is read back from a file
  // that an attacker may have written. libsodium's SENSITIVE level is 4
  // passes and 1 GiB.
  static constexpr std::uint64_t kMaxOpslimit = 16;
  static constexpr std::size_t kMaxMemlimit = std::size_t{1} << 30;

  // libsodium's INTERACTIVE limits (2 passes, 64 MiB): about 0.1–0.3 s on
  // the reference machine, paid once per process start.
  static KdfParams interactive() noexcept;
  // The smallest cost libsodium accepts (1 pass, 8 KiB): tests only.
  static KdfParams minimum() noexcept;
};

class StorageKey {
 public:
  static constexpr std::size_t kSaltBytes = 16;
  static constexpr std::size_t kNonceBytes = 24;
  static constexpr std::size_t kTagBytes = 16;
  static constexpr std::size_t kOverhead = kNonceBytes + kTagBytes;

  // Argon2id13(passphrase, salt) under `params`. salt must be kSaltBytes.
  static Result<StorageKey> derive(std::string_view passphrase, ByteView salt, const KdfParams& params);
  // A key from 32 raw bytes (tests, and keys kept elsewhere).
  static StorageKey from_secret(Secret<32> key) noexcept { return StorageKey(std::move(key)); }
  // A random salt for a new store.
  static Bytes new_salt(Rng& rng);

  // An independent key for another purpose (BLAKE2b keyed by this key over
  // `context`), so two uses of one passphrase never share a key.
  StorageKey subkey(std::string_view context) const;

  // nonce || ciphertext || tag; kOverhead bytes longer than `plaintext`.
  Bytes seal(ByteView plaintext, ByteView associated_data, Rng& rng) const;
  // The plaintext, or Errc::storage if `sealed` is too short or does not
  // authenticate under this key and `associated_data`.
  Result<SecretBytes> open(ByteView sealed, ByteView associated_data) const;

  StorageKey clone() const noexcept { return StorageKey(key_.clone()); }

 private:
  explicit StorageKey(Secret<32> key) noexcept : key_(std::move(key)) {}
  Secret<32> key_;
};

}  // namespace hush
