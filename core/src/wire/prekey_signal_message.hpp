// PreKeySignalMessage (CiphertextMessageType 3), facts §6:
//   version_byte || PreKeySignalMessage protobuf (no MAC of its own; the
//   inner SignalMessage carries one).
#pragma once

#include <optional>

#include "wire/signal_message.hpp"

namespace hush::wire {

struct PreKeySignalMessage {
  std::uint8_t message_version = 0;
  std::uint32_t registration_id = 0;
  std::optional<std::uint32_t> prekey_id;
  std::uint32_t signed_prekey_id = 0;
  PublicKey base_key;
  IdentityKey identity_key;
  Bytes message_bytes;   // owns the inner SignalMessage's bytes
  SignalMessage message; // parsed view into message_bytes

  PreKeySignalMessage() = default;
  PreKeySignalMessage(const PreKeySignalMessage&) = delete;
  PreKeySignalMessage(PreKeySignalMessage&&) = default;

  // invalid_message on anything malformed, including Kyber fields (PQXDH is
  // not part of version 3) and a version-4 header without them.
  static Result<PreKeySignalMessage> parse(ByteView bytes);
};

Bytes build_prekey_signal_message(std::uint32_t session_version, std::uint32_t registration_id,
                                  std::optional<std::uint32_t> prekey_id, std::uint32_t signed_prekey_id,
                                  const PublicKey& base_key, const IdentityKey& identity_key,
                                  ByteView signal_message);

}  // namespace hush::wire
