// X3DH as libsignal runs it for version-3 sessions (X3DH §3.3–§3.4, facts §3).
// Both functions build the initial SessionState; storing it and the trust
// decisions belong to the session builder and cipher.
#pragma once

#include <optional>

#include "hush/keys.hpp"
#include "state/session_state.hpp"

namespace hush::x3dh {

struct InitiatorParams {
  const IdentityKeyPair& our_identity;
  const KeyPair& our_base_key;        // EK_A
  const IdentityKey& their_identity;  // IK_B
  const PublicKey& their_signed_prekey;  // SPK_B, also Bob's first ratchet key
  const std::optional<PublicKey>& their_one_time_prekey;  // OPK_B
};

struct ResponderParams {
  const IdentityKeyPair& our_identity;        // IK_B
  const KeyPair& our_signed_prekey;           // SPK_B
  const std::optional<KeyPair>& our_one_time_prekey;  // OPK_B
  const IdentityKey& their_identity;          // IK_A
  const PublicKey& their_base_key;            // EK_A
};

// Alice: the state has Bob's SPK as a receiver chain and a fresh sending
// ratchet key (taken from rng) with its chain.
state::SessionState initialize_initiator(const InitiatorParams& p, Rng& rng);
// Bob: the state sends on his signed prekey until Alice's ratchet key arrives.
state::SessionState initialize_responder(const ResponderParams& p);

}  // namespace hush::x3dh
