// The inside of hush::SenderKeyRecord (libsignal sender_keys.rs
// SenderKeyRecord; facts §7).
#pragma once

#include <cstdint>
#include <deque>

#include "group/sender_key_state.hpp"
#include "hush/group.hpp"

namespace hush::detail {

struct SenderKeyRecordImpl {
  std::deque<group::SenderKeyState> states;  // newest first; states[0] encrypts

  // libsignal add_sender_key_state (facts §7 "Process an SKDM"):
  // 1. a state with the same chain id and signing key is kept as it is (the
  //    new one's chain key and iteration are ignored);
  // 2. every other state with that chain id is dropped;
  // 3. states are dropped from the back until fewer than 5 remain;
  // 4. the kept or new state goes to the front.
  void add_state(group::SenderKeyState state);

  // The first state with this chain id, or null.
  group::SenderKeyState* state_for_chain_id(std::uint32_t chain_id);
};

}  // namespace hush::detail
