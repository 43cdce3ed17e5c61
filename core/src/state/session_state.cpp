#include "state/session_state.hpp"

#include "limits.hpp"

namespace hush::state {

ReceiverChain ReceiverChain::clone() const {
  ReceiverChain c{ratchet_key, chain_key.clone(), {}};
  c.message_keys.reserve(message_keys.size());
  for (const auto& k : message_keys) c.message_keys.push_back(k.clone());
  return c;
}

SessionState SessionState::clone() const {
  SessionState s;
  s.session_version = session_version;
  s.local_identity = local_identity;
  s.remote_identity = remote_identity;
  s.root_key = root_key.clone();
  s.previous_counter = previous_counter;
  if (sender_chain) s.sender_chain = sender_chain->clone();
  s.receiver_chains.reserve(receiver_chains.size() + 1);
  for (const auto& c : receiver_chains) s.receiver_chains.push_back(c.clone());
  s.pending_prekey = pending_prekey;
  s.remote_registration_id = remote_registration_id;
  s.local_registration_id = local_registration_id;
  s.alice_base_key = alice_base_key;
  return s;
}

ReceiverChain* SessionState::find_receiver_chain(const PublicKey& ratchet_key) {
  for (auto& c : receiver_chains)
    if (c.ratchet_key == ratchet_key) return &c;
  return nullptr;
}

void SessionState::add_receiver_chain(PublicKey ratchet_key, ratchet::ChainKey chain_key) {
  receiver_chains.push_back(ReceiverChain{ratchet_key, std::move(chain_key), {}});
  // libsignal: MAX_RECEIVER_CHAINS, oldest (index 0) evicted.
  if (receiver_chains.size() > limits::kMaxReceiverChains) receiver_chains.erase(receiver_chains.begin());
}

}  // namespace hush::state
