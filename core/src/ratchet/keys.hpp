// Double Ratchet key types with libsignal's KDFs (Double Ratchet §2.2–§2.4,
// §5.2; facts §4 "Key derivation").
#pragma once

#include <array>
#include <cstdint>
#include <utility>

#include "crypto/crypto.hpp"
#include "hush/keys.hpp"

namespace hush::ratchet {

// The per-message keys: AES-256 key, HMAC-SHA256 key and CBC IV.
struct MessageKeys {
  crypto::Key32 cipher_key;
  crypto::Key32 mac_key;
  Secret<16> iv;
  std::uint32_t counter = 0;

  MessageKeys clone() const { return {cipher_key.clone(), mac_key.clone(), iv.clone(), counter}; }
  // HKDF(salt=none, ikm=seed, info="WhisperMessageKeys", L=80) → cipher|mac|iv.
  static MessageKeys derive(const crypto::Key32& seed, std::uint32_t counter);
};

// A symmetric-ratchet chain key and its index (KDF_CK).
class ChainKey {
 public:
  ChainKey() = default;
  ChainKey(crypto::Key32 key, std::uint32_t index) : key_(std::move(key)), index_(index) {}
  ChainKey clone() const { return ChainKey(key_.clone(), index_); }

  const crypto::Key32& key() const noexcept { return key_; }
  std::uint32_t index() const noexcept { return index_; }

  // Both derivations share one prepared HMAC key (one pad computation).
  // seed = HMAC(ck, 0x01); next = HMAC(ck, 0x02), index + 1.
  MessageKeys message_keys() const;
  ChainKey next() const;
  // The message keys of this index and the chain key after it, in one pass.
  std::pair<MessageKeys, ChainKey> step() const;

 private:
  crypto::Key32 key_;
  std::uint32_t index_ = 0;
};

// The root key (KDF_RK).
class RootKey {
 public:
  RootKey() = default;
  explicit RootKey(crypto::Key32 key) : key_(std::move(key)) {}
  RootKey clone() const { return RootKey(key_.clone()); }
  const crypto::Key32& key() const noexcept { return key_; }

  // HKDF(salt=rk, ikm=DH(ours, theirs), info="WhisperRatchet", L=64) →
  // (new root key, new chain key at index 0).
  std::pair<RootKey, ChainKey> create_chain(const PublicKey& their_ratchet_key,
                                            const PrivateKey& our_ratchet_key) const;

 private:
  crypto::Key32 key_;
};

}  // namespace hush::ratchet
