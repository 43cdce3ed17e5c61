// SenderKeyState <-> libsignal's SenderKeyStateStructure (storage.proto,
// facts §7 "Storage").
#pragma once

#include "group/sender_key_state.hpp"
#include "hush/result.hpp"
#include "storage.pb.h"

namespace hush::group {

// Field for field, in libsignal's shape: the private signing key is left
// empty (omitted) on received states, and the version is written as stored.
void encode_state(const SenderKeyState& s, storage::SenderKeyStateStructure& out);
// invalid_message with a reason on a state Hush cannot use.
Result<SenderKeyState> decode_state(const storage::SenderKeyStateStructure& in);
// Overwrites every secret byte string (chain keys, message-key seeds, private
// signing keys) before the message frees them.
void wipe_secrets(storage::SenderKeyRecordStructure& r);

}  // namespace hush::group
