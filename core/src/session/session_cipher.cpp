// 1:1 encrypt and decrypt against a ProtocolStore: libsignal's
// message_encrypt, message_decrypt_signal and message_decrypt_prekey
// (facts §3 "Bob", §4, §5). Each call reads what it needs, works on copies and
// writes one SessionCommit only on success.
#include "hush/session.hpp"
#include "limits.hpp"
#include "ratchet/double_ratchet.hpp"
#include "state/session_record_impl.hpp"
#include "wire/prekey_signal_message.hpp"
#include "x3dh/x3dh.hpp"

namespace hush {
namespace {

Error untrusted(const ProtocolAddress& a) {
  return make_error(Errc::untrusted_identity, "untrusted identity for address " + a.to_string());
}

Error no_session(const ProtocolAddress& a) {
  return make_error(Errc::no_session, "session with " + a.to_string() + " not found");
}

// The identity to write with a commit: only when none is on record yet (a
// trusted key that is already recorded needs no write).
Result<std::optional<IdentityKey>> identity_to_record(const ProtocolStore& store, std::string_view name,
                                                      const IdentityKey& key, Direction direction,
                                                      const ProtocolAddress& address) {
  // The common case, the key on record, costs one lookup; anything else asks
  // the store's trust policy.
  HUSH_ASSIGN(auto recorded, store.get_identity(name));
  if (recorded && *recorded == key) return std::optional<IdentityKey>{};
  HUSH_ASSIGN(bool trusted, store.is_trusted_identity(name, key, direction));
  if (!trusted) return untrusted(address);
  return std::optional<IdentityKey>{key};
}

}  // namespace

Result<CiphertextMessage> SessionCipher::encrypt(ByteView plaintext) {
  HUSH_ASSIGN(auto loaded, store_.load_session(remote_));
  if (!loaded || !loaded->has_current_state() || !loaded->impl().current->sender_chain) return no_session(remote_);
  SessionRecord record = std::move(*loaded);
  auto& s = *record.impl().current;
  // Only version-3 states can be encrypted with; any other version can only
  // come from a damaged or foreign record (found by fuzz_record_decrypt: a
  // version-0 state produced a 0x24 header no receiver accepts).
  if (s.session_version != limits::kSessionVersion)
    return make_error(Errc::no_session, "session with " + remote_.to_string() + " has unsupported version " +
                                            std::to_string(s.session_version));

  CiphertextMessage out{MessageType::whisper, {}};
  if (s.pending_prekey && s.pending_prekey->timestamp + limits::kMaxUnacknowledgedSessionAgeSeconds <
                              clock_.now_seconds())
    return no_session(remote_);
  Bytes inner = ratchet::encrypt_with_state(s, plaintext);
  if (s.pending_prekey) {
    const auto& p = *s.pending_prekey;
    out.type = MessageType::prekey;
    out.body = wire::build_prekey_signal_message(s.session_version, s.local_registration_id, p.prekey_id,
                                                 p.signed_prekey_id, p.base_key, s.local_identity, inner);
  } else {
    out.body = std::move(inner);
  }
  // libsignal checks trust after encrypting and stores nothing if it fails.
  HUSH_ASSIGN(auto identity,
              identity_to_record(store_, remote_.name, s.remote_identity, Direction::sending, remote_));
  HUSH_TRY(store_.commit(SessionCommit{remote_, &record, identity, std::nullopt, true}));
  return out;
}

Result<SecretBytes> SessionCipher::decrypt(MessageType type, ByteView body) {
  switch (type) {
    case MessageType::whisper:
      return decrypt_signal_message(body);
    case MessageType::prekey:
      return decrypt_prekey_message(body);
    case MessageType::sender_key:
      break;
  }
  return make_error(Errc::bad_request, "not a 1:1 message type");
}

Result<SecretBytes> SessionCipher::decrypt_signal_message(ByteView body) {
  HUSH_ASSIGN(auto message, wire::SignalMessage::parse(body));
  HUSH_ASSIGN(auto loaded, store_.load_session(remote_));
  if (!loaded) return no_session(remote_);
  SessionRecord record = std::move(*loaded);
  HUSH_ASSIGN(auto plaintext, ratchet::decrypt_with_record(record.impl(), message, MessageType::whisper, rng_));
  HUSH_ASSIGN(auto identity, identity_to_record(store_, remote_.name, record.impl().current->remote_identity,
                                                Direction::receiving, remote_));
  HUSH_TRY(store_.commit(SessionCommit{remote_, &record, identity, std::nullopt, true}));
  return plaintext;
}

Result<SecretBytes> SessionCipher::decrypt_prekey_message(ByteView body) {
  HUSH_ASSIGN(auto message, wire::PreKeySignalMessage::parse(body));
  HUSH_ASSIGN(auto loaded, store_.load_session(remote_));
  SessionRecord record = loaded ? std::move(*loaded) : SessionRecord{};

  HUSH_ASSIGN(auto identity, identity_to_record(store_, remote_.name, message.identity_key, Direction::receiving,
                                                remote_));
  std::optional<std::uint32_t> consumed_prekey;
  // A state built from this base key already exists (a later PreKey message
  // of the same unacknowledged session, or a replay): no X3DH, no prekey.
  if (!record.impl().has_state_for(message.message_version, message.base_key)) {
    HUSH_ASSIGN(auto signed_prekey, store_.load_signed_prekey(message.signed_prekey_id));
    if (!signed_prekey)
      return make_error(Errc::invalid_prekey, "invalid signed prekey identifier " +
                                                  std::to_string(message.signed_prekey_id));
    std::optional<KeyPair> one_time;
    if (message.prekey_id) {
      HUSH_ASSIGN(auto prekey, store_.load_prekey(*message.prekey_id));
      if (!prekey)
        return make_error(Errc::invalid_prekey, "invalid prekey identifier " + std::to_string(*message.prekey_id));
      one_time = prekey->key_pair.clone();
      consumed_prekey = message.prekey_id;
    }
    auto state = x3dh::initialize_responder({store_.identity_key_pair(), signed_prekey->key_pair, one_time,
                                             message.identity_key, message.base_key});
    state.remote_registration_id = message.registration_id;
    state.local_registration_id = store_.local_registration_id();
    record.impl().promote(std::move(state));
  }
  HUSH_ASSIGN(auto plaintext,
              ratchet::decrypt_with_record(record.impl(), message.message, MessageType::prekey, rng_));
  HUSH_TRY(store_.commit(SessionCommit{remote_, &record, identity, consumed_prekey, true}));
  return plaintext;
}

}  // namespace hush
