// The Double Ratchet over session states and records, as libsignal's
// session_cipher.rs does it (Double Ratchet §3.3–§3.5, facts §4–§5).
// Every function works on values the caller owns; nothing here touches a store.
#pragma once

#include "hush/session.hpp"
#include "state/session_record_impl.hpp"
#include "wire/signal_message.hpp"

namespace hush::ratchet {

// Encrypts with the current sender chain and advances it. The state must have
// a sender chain.
Bytes encrypt_with_state(state::SessionState& s, ByteView plaintext);

// Decrypts with one state, mutating it only on success (callers pass a copy).
// Errors: duplicate_message (checked before the MAC, as libsignal does),
// invalid_message with the specific reason.
Result<SecretBytes> decrypt_with_state(state::SessionState& s, const wire::SignalMessage& m, Rng& rng);

// libsignal's search: current state first, then previous states newest first;
// a success in a previous state promotes it. A duplicate from any state ends
// the search; otherwise failures collapse to invalid_message("decryption
// failed"). On success `record` is updated. On failure it may be partly
// updated (a record with only a current state is tried in place, to save a
// copy): callers work on a loaded copy and discard it, as SessionCipher does.
Result<SecretBytes> decrypt_with_record(detail::SessionRecordImpl& record, const wire::SignalMessage& m,
                                        MessageType type, Rng& rng);

}  // namespace hush::ratchet
