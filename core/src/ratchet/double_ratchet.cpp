#include "ratchet/double_ratchet.hpp"

#include <algorithm>

#include "limits.hpp"

namespace hush::ratchet {
namespace {

// DH ratchet step on receipt of a new ratchet key (Double Ratchet §3.5,
// facts §4 "Decrypt with one state" step 3).
state::ReceiverChain& dh_ratchet(state::SessionState& s, const PublicKey& their, Rng& rng) {
  auto [root1, receiving] = s.root_key.create_chain(their, s.sender_chain->ratchet_key.private_key);
  KeyPair next = KeyPair::generate(rng);
  auto [root2, sending] = root1.create_chain(their, next.private_key);
  s.root_key = std::move(root2);
  s.add_receiver_chain(their, std::move(receiving));
  // libsignal's quirk: the index of the last message sent, not the count.
  const std::uint32_t sent = s.sender_chain->chain_key.index();
  s.previous_counter = sent > 0 ? sent - 1 : 0;
  s.sender_chain = state::SenderChain{std::move(next), std::move(sending)};
  return s.receiver_chains.back();
}

Result<MessageKeys> message_keys_for(state::SessionState& s, state::ReceiverChain& chain, std::uint32_t counter) {
  const std::uint32_t index = chain.chain_key.index();
  if (counter < index) {
    auto it = std::find_if(chain.message_keys.begin(), chain.message_keys.end(),
                           [&](const MessageKeys& k) { return k.counter == counter; });
    if (it == chain.message_keys.end())
      return make_error(Errc::duplicate_message,
                        "message with old counter " + std::to_string(counter) + " / " + std::to_string(index));
    MessageKeys keys = std::move(*it);
    chain.message_keys.erase(it);
    return keys;
  }
  // A session with oneself is exempt from the forward limit (libsignal does so).
  if (counter - index > limits::kMaxForwardJumps && !(s.remote_identity == s.local_identity))
    return make_error(Errc::invalid_message, "message from too far into the future");
  ChainKey ck = chain.chain_key.clone();
  while (ck.index() < counter) {
    auto [keys, next] = ck.step();
    chain.message_keys.push_back(std::move(keys));
    ck = std::move(next);
  }
  // libsignal keeps the newest kMaxMessageKeys; evict the oldest in one go.
  if (chain.message_keys.size() > limits::kMaxMessageKeys) {
    const auto excess = static_cast<std::ptrdiff_t>(chain.message_keys.size() - limits::kMaxMessageKeys);
    chain.message_keys.erase(chain.message_keys.begin(), chain.message_keys.begin() + excess);
  }
  auto [keys, next] = ck.step();
  chain.chain_key = std::move(next);
  return std::move(keys);
}

}  // namespace

Bytes encrypt_with_state(state::SessionState& s, ByteView plaintext) {
  auto& sender = *s.sender_chain;
  auto [keys, next] = sender.chain_key.step();
  const Bytes ciphertext = crypto::aes256_cbc_encrypt(keys.cipher_key.view(), keys.iv.view(), plaintext);
  Bytes message = wire::build_signal_message(s.session_version, sender.ratchet_key.public_key, keys.counter,
                                             s.previous_counter, ciphertext, keys.mac_key, s.local_identity,
                                             s.remote_identity);
  sender.chain_key = std::move(next);
  return message;
}

Result<SecretBytes> decrypt_with_state(state::SessionState& s, const wire::SignalMessage& m, Rng& rng) {
  if (!s.sender_chain) return make_error(Errc::invalid_message, "no session available to decrypt");
  if (m.message_version != s.session_version)
    return make_error(Errc::invalid_message, "message version does not match the session");
  state::ReceiverChain* chain = s.find_receiver_chain(m.ratchet_key);
  if (!chain) chain = &dh_ratchet(s, m.ratchet_key, rng);
  HUSH_ASSIGN(auto keys, message_keys_for(s, *chain, m.counter));
  if (!m.verify_mac(s.remote_identity, s.local_identity, keys.mac_key))
    return make_error(Errc::invalid_message, "MAC verification failed");
  auto plaintext = crypto::aes256_cbc_decrypt(keys.cipher_key.view(), keys.iv.view(), m.ciphertext);
  if (!plaintext) return make_error(Errc::invalid_message, "failed to decrypt");
  // The peer has answered: this session is acknowledged (facts §4 step 7).
  s.pending_prekey.reset();
  return plaintext;
}

namespace {

// libsignal reports one generic error when every state failed, except that a
// duplicate ends the search as itself.
Result<SecretBytes> collapse(Result<SecretBytes> r, const char* failed) {
  if (r || r.code() == Errc::duplicate_message) return r;
  return make_error(Errc::invalid_message, failed);
}

}  // namespace

Result<SecretBytes> decrypt_with_record(detail::SessionRecordImpl& record, const wire::SignalMessage& m,
                                        MessageType type, Rng& rng) {
  const char* failed =
      type == MessageType::prekey ? "invalid PreKey message: decryption failed" : "invalid Whisper message: decryption failed";
  if (record.current && record.previous.empty()) {
    // Nothing else to try: a failure ends the search and the caller discards
    // the record, so the current state can be tried in place.
    return collapse(decrypt_with_state(*record.current, m, rng), failed);
  }
  if (record.current) {
    // A previous state may still succeed and then archive the current one,
    // which must be archived as it was: try a copy.
    auto attempt = record.current->clone();
    auto r = decrypt_with_state(attempt, m, rng);
    if (r) {
      *record.current = std::move(attempt);
      return r;
    }
    if (r.code() == Errc::duplicate_message) return r;
  }
  for (auto it = record.previous.begin(); it != record.previous.end(); ++it) {
    auto attempt = it->clone();
    auto r = decrypt_with_state(attempt, m, rng);
    if (r) {
      record.previous.erase(it);
      record.promote(std::move(attempt));
      return r;
    }
    if (r.code() == Errc::duplicate_message) return r;
  }
  return make_error(Errc::invalid_message, failed);
}

}  // namespace hush::ratchet
