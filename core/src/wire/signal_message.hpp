// SignalMessage (CiphertextMessageType 2), facts §6:
//   version_byte || SignalMessage protobuf || HMAC-SHA256 truncated to 8 bytes.
#pragma once

#include <cstdint>

#include "hush/keys.hpp"
#include "ratchet/keys.hpp"

namespace hush::wire {

// The version byte libsignal 0.65.4 writes: (session_version << 4) | 4.
std::uint8_t version_byte(std::uint32_t session_version) noexcept;
// Checks the high nibble as libsignal does: < 3 legacy, > 4 unrecognized;
// both invalid_message. Returns the nibble.
Result<std::uint8_t> check_version_byte(std::uint8_t byte);

struct SignalMessage {
  std::uint8_t message_version = 0;  // high nibble of the version byte
  PublicKey ratchet_key;
  std::uint32_t counter = 0;
  std::uint32_t previous_counter = 0;
  Bytes ciphertext;
  ByteView serialized;  // the whole input, for the MAC check (not owned)

  // Parses without checking the MAC. invalid_message on anything malformed.
  static Result<SignalMessage> parse(ByteView bytes);

  // HMAC(mac_key, sender_ik || receiver_ik || version || protobuf)[0:8],
  // compared in constant time (facts §4).
  bool verify_mac(const IdentityKey& sender_identity, const IdentityKey& receiver_identity,
                  const crypto::Key32& mac_key) const;
};

// Serializes and MACs a new SignalMessage.
Bytes build_signal_message(std::uint32_t session_version, const PublicKey& ratchet_key, std::uint32_t counter,
                           std::uint32_t previous_counter, ByteView ciphertext, const crypto::Key32& mac_key,
                           const IdentityKey& sender_identity, const IdentityKey& receiver_identity);

}  // namespace hush::wire
