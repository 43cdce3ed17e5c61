// Building sessions (X3DH, facts §3) and encrypting/decrypting 1:1 messages
// (Double Ratchet, facts §4–§5), with libsignal 0.65.4's behaviour.
//
// Thread safety: none; calls for one store must be serialized by the caller.
// State: every call reads the store, computes on copies, and writes through
// one ProtocolStore::commit only on success. A failed call changes nothing.
#pragma once

#include "hush/clock.hpp"
#include "hush/stores.hpp"

namespace hush {

// libsignal's CiphertextMessageType values.
enum class MessageType : std::uint8_t { whisper = 2, prekey = 3, sender_key = 7 };

struct CiphertextMessage {
  MessageType type;
  Bytes body;  // serialized exactly as libsignal puts it on the wire
};

class SessionBuilder {
 public:
  SessionBuilder(ProtocolStore& store, ProtocolAddress remote, Rng& rng, const Clock& clock)
      : store_(store), remote_(std::move(remote)), rng_(rng), clock_(clock) {}

  // X3DH as initiator. Errors: untrusted_identity (bundle identity differs
  // from the one on record), invalid_signature (bad signed-prekey signature),
  // storage. On success the new session is current; any older one is archived.
  Result<void> process(const PreKeyBundle& bundle);

 private:
  ProtocolStore& store_;
  ProtocolAddress remote_;
  Rng& rng_;
  const Clock& clock_;
};

class SessionCipher {
 public:
  SessionCipher(ProtocolStore& store, ProtocolAddress remote, Rng& rng, const Clock& clock)
      : store_(store), remote_(std::move(remote)), rng_(rng), clock_(clock) {}

  // Encrypts with the current session: a PreKey message (type 3) until the
  // peer's first message in this session has been decrypted, then type 2.
  // Errors: no_session (none, or unacknowledged for more than 30 days),
  // untrusted_identity, storage.
  Result<CiphertextMessage> encrypt(ByteView plaintext);

  // Decrypts a type-2 (whisper) or type-3 (prekey) message.
  // Errors: no_session (type 2, no record), invalid_prekey, untrusted_identity,
  // duplicate_message, invalid_message, storage.
  Result<SecretBytes> decrypt(MessageType type, ByteView body);
  Result<SecretBytes> decrypt_signal_message(ByteView body);
  Result<SecretBytes> decrypt_prekey_message(ByteView body);

 private:
  ProtocolStore& store_;
  ProtocolAddress remote_;
  Rng& rng_;
  const Clock& clock_;
};

}  // namespace hush
