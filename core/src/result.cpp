// Error-code spellings of the interop driver protocol
// (shared/interop/driver-protocol.md, "Error codes").
#include "hush/result.hpp"

namespace hush {

std::string_view errc_name(Errc c) noexcept {
  switch (c) {
    case Errc::bad_request: return "bad_request";
    case Errc::invalid_key: return "invalid_key";
    case Errc::invalid_signature: return "invalid_signature";
    case Errc::untrusted_identity: return "untrusted_identity";
    case Errc::no_session: return "no_session";
    case Errc::invalid_prekey: return "invalid_prekey";
    case Errc::duplicate_message: return "duplicate_message";
    case Errc::invalid_message: return "invalid_message";
    case Errc::storage: return "storage_error";
    case Errc::wrong_passphrase: return "wrong_passphrase";
  }
  return "unknown";
}

}  // namespace hush
