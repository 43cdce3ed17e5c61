// SessionRecord: the current session state with a peer device and up to 40
// previous ("archived") states, newest first (facts §5). Serialized exactly as
// libsignal's RecordStructure (storage.proto), so records move between Hush
// and libsignal.
#pragma once

#include <memory>

#include "hush/bytes.hpp"
#include "hush/result.hpp"

namespace hush {

namespace detail {
struct SessionRecordImpl;
}

class SessionRecord {
 public:
  SessionRecord();  // empty: no current state, no previous states
  ~SessionRecord();
  SessionRecord(SessionRecord&&) noexcept;
  SessionRecord& operator=(SessionRecord&&) noexcept;
  SessionRecord(const SessionRecord&) = delete;
  SessionRecord& operator=(const SessionRecord&) = delete;

  // Deep copy; records hold secrets, so copies are explicit.
  SessionRecord clone() const;

  // libsignal RecordStructure bytes. Contains private keys: keep it secret.
  SecretBytes serialize() const;
  // invalid_message on malformed bytes (libsignal: InvalidSessionStructure).
  static Result<SessionRecord> deserialize(ByteView bytes);

  bool has_current_state() const noexcept;
  std::size_t previous_state_count() const noexcept;
  // The registration id the peer device had when the current state was
  // built (from its bundle or PreKey message); 0 without a current state.
  std::uint32_t remote_registration_id() const noexcept;
  // Moves the current state to the archive (clearing its pending prekey);
  // afterwards encrypt fails with no_session until a new session is built.
  void archive_current_state();

  detail::SessionRecordImpl& impl() noexcept { return *impl_; }
  const detail::SessionRecordImpl& impl() const noexcept { return *impl_; }

 private:
  std::unique_ptr<detail::SessionRecordImpl> impl_;
};

}  // namespace hush
