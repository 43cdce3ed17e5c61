// Sender-key operations against a SenderKeyStore: libsignal's
// create_sender_key_distribution_message, process_sender_key_distribution_message,
// group_encrypt and group_decrypt (facts §7). Each call loads the record,
// works on that copy and stores it only on success.
#include <string>

#include "group/sender_key_distribution_message.hpp"
#include "group/sender_key_message.hpp"
#include "group/sender_key_record_impl.hpp"
#include "limits.hpp"

namespace hush {
namespace {

// libsignal NoSenderKeyState.
Error no_sender_key(const DistributionId& id) {
  return make_error(Errc::no_session, "missing sender key state for distribution ID " + id.to_string());
}

// libsignal InvalidSenderKeySession: a record we cannot send with.
Error invalid_sender_key(const DistributionId& id, const char* why) {
  return make_error(Errc::no_session, "invalid sender key session with distribution ID " + id.to_string() + ": " + why);
}

Error invalid_group_message(const char* why) {
  return make_error(Errc::invalid_message, std::string("invalid SenderKey message: ") + why);
}

// A new chain of our own (facts §7 "Create an SKDM"). The random draws come
// in libsignal's order: chain id, chain key, signing key.
group::SenderKeyState new_own_state(Rng& rng) {
  group::SenderKeyState s;
  s.stored_version = group::kSenderKeyVersion;
  // 31-bit chain ids, as libsignal (for libsignal-protocol-java's sake).
  s.chain_id = rng.next_u32() >> 1;
  crypto::Key32 chain_key;
  rng.fill(chain_key.mut());
  s.chain_key = group::SenderChainKey(0, std::move(chain_key));
  auto signing = KeyPair::generate(rng);
  s.signing_public = signing.public_key;
  s.signing_private = std::move(signing.private_key);
  return s;
}

// The key for `iteration` (libsignal get_sender_key; facts §7 "Decrypt"
// step 5), updating the state: a stored skipped key is taken out, or the
// chain moves past `iteration`, storing the keys it skips.
Result<group::SenderMessageKey> message_key_for(group::SenderKeyState& state, std::uint32_t iteration) {
  const std::uint32_t current = state.chain_key.iteration();
  if (iteration < current) {
    if (auto stored = state.take_message_key(iteration)) return std::move(*stored);
    return make_error(Errc::duplicate_message,
                      "message with old counter " + std::to_string(current) + " / " + std::to_string(iteration));
  }
  if (iteration - current > limits::kMaxForwardJumps)
    return invalid_group_message("message from too far into the future");
  group::SenderChainKey chain = state.chain_key.clone();
  while (chain.iteration() < iteration) {
    state.add_message_key(chain.message_key());
    HUSH_ASSIGN(chain, chain.next());
  }
  HUSH_ASSIGN(state.chain_key, chain.next());
  return chain.message_key();
}

}  // namespace

Result<SecretBytes> create_sender_key_distribution_message(SenderKeyStore& store, const ProtocolAddress& own_address,
                                                           const DistributionId& distribution_id, Rng& rng) {
  HUSH_ASSIGN(auto loaded, store.load_sender_key(own_address, distribution_id));
  SenderKeyRecord record;
  if (loaded) {
    record = std::move(*loaded);
  } else {
    record.impl().add_state(new_own_state(rng));
    HUSH_TRY(store.store_sender_key(own_address, distribution_id, record));
  }
  if (record.impl().states.empty()) return invalid_sender_key(distribution_id, "empty sender key state");
  // The first state at its current iteration, not at 0 (facts §7).
  const auto& s = record.impl().states.front();
  return group::build_sender_key_distribution_message(s.message_version(), distribution_id, s.chain_id,
                                                      s.chain_key.iteration(), s.chain_key.key(), s.signing_public);
}

Result<void> process_sender_key_distribution_message(SenderKeyStore& store, const ProtocolAddress& sender,
                                                     ByteView skdm) {
  HUSH_ASSIGN(auto m, group::SenderKeyDistributionMessage::parse(skdm));
  HUSH_ASSIGN(auto loaded, store.load_sender_key(sender, m.distribution_id));
  SenderKeyRecord record = loaded ? std::move(*loaded) : SenderKeyRecord();
  group::SenderKeyState s;
  s.stored_version = m.message_version;
  s.chain_id = m.chain_id;
  s.chain_key = group::SenderChainKey(m.iteration, std::move(m.chain_key));
  s.signing_public = m.signing_key;  // received states have no private key
  record.impl().add_state(std::move(s));
  return store.store_sender_key(sender, m.distribution_id, record);
}

Result<Bytes> group_encrypt(SenderKeyStore& store, const ProtocolAddress& own_address,
                            const DistributionId& distribution_id, ByteView plaintext, Rng& rng) {
  HUSH_ASSIGN(auto loaded, store.load_sender_key(own_address, distribution_id));
  if (!loaded) return no_sender_key(distribution_id);
  SenderKeyRecord record = std::move(*loaded);
  if (record.impl().states.empty()) return invalid_sender_key(distribution_id, "empty sender key state");
  auto& s = record.impl().states.front();
  if (!s.signing_private) return invalid_sender_key(distribution_id, "no private signing key");

  const auto message_key = s.chain_key.message_key();
  const auto keys = message_key.derive();
  const Bytes ciphertext = crypto::aes256_cbc_encrypt(keys.cipher_key.view(), keys.iv.view(), plaintext);
  Bytes message = group::build_sender_key_message(s.message_version(), distribution_id, s.chain_id,
                                                  message_key.iteration(), ciphertext, *s.signing_private, rng);
  auto next = s.chain_key.next();
  if (!next) return invalid_sender_key(distribution_id, "sender chain is too long");
  s.chain_key = std::move(next).value();
  HUSH_TRY(store.store_sender_key(own_address, distribution_id, record));
  return message;
}

Result<SecretBytes> group_decrypt(SenderKeyStore& store, const ProtocolAddress& sender, ByteView message) {
  HUSH_ASSIGN(auto m, group::SenderKeyMessage::parse(message));
  HUSH_ASSIGN(auto loaded, store.load_sender_key(sender, m.distribution_id));
  if (!loaded) return no_sender_key(m.distribution_id);
  SenderKeyRecord record = std::move(*loaded);
  auto* state = record.impl().state_for_chain_id(m.chain_id);
  if (state == nullptr) return no_sender_key(m.distribution_id);
  if (m.message_version != state->message_version())
    return make_error(Errc::invalid_message, "unrecognized message version " + std::to_string(m.message_version));
  if (!m.verify_signature(state->signing_public))
    return make_error(Errc::invalid_message, "invalid signature detected");

  HUSH_ASSIGN(auto message_key, message_key_for(*state, m.iteration));
  const auto keys = message_key.derive();
  auto plaintext = crypto::aes256_cbc_decrypt(keys.cipher_key.view(), keys.iv.view(), m.ciphertext);
  if (!plaintext) return invalid_group_message("decryption failed");
  HUSH_TRY(store.store_sender_key(sender, m.distribution_id, record));
  return std::move(plaintext).value();
}

}  // namespace hush
