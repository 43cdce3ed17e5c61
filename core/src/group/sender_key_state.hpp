// One sender chain of a group member (libsignal sender_keys.rs
// SenderKeyState, SenderChainKey, SenderMessageKey; facts §7).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>

#include "crypto/crypto.hpp"
#include "hush/keys.hpp"

namespace hush::group {

// The SenderKeyMessage / SKDM version: the high nibble of their version byte,
// and the version of every state libsignal 0.65.4 creates.
inline constexpr std::uint8_t kSenderKeyVersion = 3;

// The AES-256-CBC key and IV of one group message.
struct SenderMessageKeys {
  Secret<16> iv;
  crypto::Key32 cipher_key;
};

// The key of one iteration, kept as its seed (as libsignal stores it) and
// expanded when used.
class SenderMessageKey {
 public:
  SenderMessageKey(std::uint32_t iteration, crypto::Key32 seed) : iteration_(iteration), seed_(std::move(seed)) {}
  SenderMessageKey clone() const { return SenderMessageKey(iteration_, seed_.clone()); }

  std::uint32_t iteration() const noexcept { return iteration_; }
  const crypto::Key32& seed() const noexcept { return seed_; }
  // HKDF(salt = none, ikm = seed, info = "WhisperGroup", L = 48):
  // IV = out[0:16], cipher key = out[16:48]. The IV comes first, unlike 1:1.
  SenderMessageKeys derive() const;

 private:
  std::uint32_t iteration_;
  crypto::Key32 seed_;
};

// A chain key and its iteration. seed = HMAC(ck, 0x01); next = HMAC(ck, 0x02).
class SenderChainKey {
 public:
  SenderChainKey() = default;
  SenderChainKey(std::uint32_t iteration, crypto::Key32 key) : iteration_(iteration), key_(std::move(key)) {}
  SenderChainKey clone() const { return SenderChainKey(iteration_, key_.clone()); }

  std::uint32_t iteration() const noexcept { return iteration_; }
  const crypto::Key32& key() const noexcept { return key_; }

  SenderMessageKey message_key() const;
  // The chain key of the next iteration. invalid_message past 2^32-1
  // (libsignal: InvalidState "Sender chain is too long").
  Result<SenderChainKey> next() const;

 private:
  std::uint32_t iteration_ = 0;
  crypto::Key32 key_;
};

struct SenderKeyState {
  std::uint32_t stored_version = kSenderKeyVersion;  // as stored; 0 means 3
  std::uint32_t chain_id = 0;
  SenderChainKey chain_key;
  PublicKey signing_public;
  std::optional<PrivateKey> signing_private;  // only on our own chains
  std::deque<SenderMessageKey> message_keys;  // skipped keys, oldest first

  // libsignal reads a missing (0) version as 3, the first SenderKey version.
  std::uint32_t message_version() const noexcept { return stored_version == 0 ? kSenderKeyVersion : stored_version; }

  SenderKeyState clone() const;
  // Appends a skipped key; beyond limits::kMaxMessageKeys the oldest go.
  void add_message_key(SenderMessageKey key);
  // Removes and returns the stored key of `iteration`, if there is one.
  std::optional<SenderMessageKey> take_message_key(std::uint32_t iteration);
};

}  // namespace hush::group
