// hush::SessionRecord (facts §5) and its libsignal-compatible serialization.
#include "hush/session_record.hpp"

#include <algorithm>

#include "limits.hpp"
#include "state/session_codec.hpp"
#include "state/session_record_impl.hpp"

namespace hush {
namespace detail {

void SessionRecordImpl::archive_current() {
  if (!current) return;
  current->pending_prekey.reset();
  if (previous.size() >= limits::kArchivedStatesMaxLength) previous.pop_back();
  previous.insert(previous.begin(), std::move(*current));
  current.reset();
}

void SessionRecordImpl::promote(state::SessionState s) {
  archive_current();
  current = std::move(s);
}

bool SessionRecordImpl::has_state_for(std::uint32_t version, const PublicKey& alice_base_key) const {
  auto matches = [&](const state::SessionState& s) {
    return s.session_version == version && s.alice_base_key && *s.alice_base_key == alice_base_key;
  };
  if (current && matches(*current)) return true;
  return std::any_of(previous.begin(), previous.end(), matches);
}

}  // namespace detail

SessionRecord::SessionRecord() : impl_(std::make_unique<detail::SessionRecordImpl>()) {}
SessionRecord::~SessionRecord() = default;
SessionRecord::SessionRecord(SessionRecord&&) noexcept = default;
SessionRecord& SessionRecord::operator=(SessionRecord&&) noexcept = default;

SessionRecord SessionRecord::clone() const {
  SessionRecord r;
  r.impl_->previous.reserve(impl_->previous.size());
  if (impl_->current) r.impl_->current = impl_->current->clone();
  for (const auto& s : impl_->previous) r.impl_->previous.push_back(s.clone());
  return r;
}

bool SessionRecord::has_current_state() const noexcept { return impl_->current.has_value(); }
std::size_t SessionRecord::previous_state_count() const noexcept { return impl_->previous.size(); }
std::uint32_t SessionRecord::remote_registration_id() const noexcept {
  return impl_->current ? impl_->current->remote_registration_id : 0;
}
void SessionRecord::archive_current_state() { impl_->archive_current(); }

SecretBytes SessionRecord::serialize() const {
  storage::RecordStructure rec;
  if (impl_->current) state::encode_state(*impl_->current, *rec.mutable_current_session());
  for (const auto& s : impl_->previous) {
    storage::SessionStructure p;
    state::encode_state(s, p);
    rec.add_previous_sessions(p.SerializeAsString());
    state::wipe_secrets(p);
  }
  SecretBytes out(rec.ByteSizeLong());
  rec.SerializeWithCachedSizesToArray(out.data());
  state::wipe_secrets(rec);
  return out;
}

Result<SessionRecord> SessionRecord::deserialize(ByteView bytes) {
  storage::RecordStructure rec;
  if (!rec.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return make_error(Errc::invalid_message, "session record: protobuf encoding was invalid");
  SessionRecord out;
  Result<void> status;
  if (rec.has_current_session()) {
    auto s = state::decode_state(rec.current_session());
    if (!s) status = std::move(s).error();
    else out.impl_->current = std::move(s).value();
  }
  for (const auto& p : rec.previous_sessions()) {
    if (!status) break;
    storage::SessionStructure ps;
    if (!ps.ParseFromString(p)) {
      status = make_error(Errc::invalid_message, "session record: bad previous state");
      break;
    }
    auto s = state::decode_state(ps);
    state::wipe_secrets(ps);
    if (!s) status = std::move(s).error();
    else out.impl_->previous.push_back(std::move(s).value());
  }
  state::wipe_secrets(rec);
  if (!status) return std::move(status).error();
  return out;
}

}  // namespace hush
