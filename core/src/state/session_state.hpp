// One session state: libsignal's SessionStructure (facts §4, §11) as C++
// values. Receiver chains are kept oldest first (libsignal appends and evicts
// index 0). Skipped message keys are kept oldest first too, the reverse of
// libsignal's stored order (the codec reverses them), so that adding keys is a
// push_back and evicting the oldest one erase at the front: a vector, with no
// allocation when empty (a deque allocates even then).
#pragma once

#include <optional>
#include <vector>

#include "hush/keys.hpp"
#include "ratchet/keys.hpp"

namespace hush::state {

struct SenderChain {
  KeyPair ratchet_key;
  ratchet::ChainKey chain_key;

  SenderChain clone() const { return {ratchet_key.clone(), chain_key.clone()}; }
};

struct ReceiverChain {
  PublicKey ratchet_key;
  ratchet::ChainKey chain_key;
  std::vector<ratchet::MessageKeys> message_keys;  // oldest first

  ReceiverChain clone() const;
};

// Set on the initiator until the first message from the peer decrypts in
// this state; while set, every message is sent as a PreKeySignalMessage.
struct PendingPreKey {
  std::optional<std::uint32_t> prekey_id;
  std::uint32_t signed_prekey_id = 0;
  PublicKey base_key;
  std::uint64_t timestamp = 0;  // seconds
};

struct SessionState {
  std::uint32_t session_version = 0;
  IdentityKey local_identity;
  IdentityKey remote_identity;
  ratchet::RootKey root_key;
  std::uint32_t previous_counter = 0;
  std::optional<SenderChain> sender_chain;
  std::vector<ReceiverChain> receiver_chains;  // oldest first
  std::optional<PendingPreKey> pending_prekey;
  std::uint32_t remote_registration_id = 0;
  std::uint32_t local_registration_id = 0;
  std::optional<PublicKey> alice_base_key;

  SessionState clone() const;

  ReceiverChain* find_receiver_chain(const PublicKey& ratchet_key);
  // Appends a chain; past kMaxReceiverChains the oldest is dropped.
  void add_receiver_chain(PublicKey ratchet_key, ratchet::ChainKey chain_key);
};

}  // namespace hush::state
