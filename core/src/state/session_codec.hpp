// SessionState <-> libsignal's SessionStructure (storage.proto, facts §11).
#pragma once

#include "hush/result.hpp"
#include "state/session_state.hpp"
#include "storage.pb.h"

namespace hush::state {

void encode_state(const SessionState& s, storage::SessionStructure& out);
// invalid_message with a reason on any malformed field.
Result<SessionState> decode_state(const storage::SessionStructure& in);
// Overwrites every secret byte string in the message before it is freed
// (protobuf's std::string buffers are otherwise released unwiped).
void wipe_secrets(storage::SessionStructure& s);
void wipe_secrets(storage::RecordStructure& r);

}  // namespace hush::state
