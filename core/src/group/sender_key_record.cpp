// hush::SenderKeyRecord and its libsignal-compatible serialization (facts §7).
#include <algorithm>
#include <optional>

#include "group/sender_key_codec.hpp"
#include "group/sender_key_record_impl.hpp"
#include "limits.hpp"

namespace hush {
namespace detail {

void SenderKeyRecordImpl::add_state(group::SenderKeyState state) {
  std::optional<group::SenderKeyState> existing;
  auto same = std::find_if(states.begin(), states.end(), [&](const group::SenderKeyState& s) {
    return s.chain_id == state.chain_id && s.signing_public == state.signing_public;
  });
  if (same != states.end()) {
    existing = std::move(*same);
    states.erase(same);
  }
  std::erase_if(states, [&](const group::SenderKeyState& s) { return s.chain_id == state.chain_id; });
  while (states.size() >= limits::kMaxSenderKeyStates) states.pop_back();
  states.push_front(existing ? std::move(*existing) : std::move(state));
}

group::SenderKeyState* SenderKeyRecordImpl::state_for_chain_id(std::uint32_t chain_id) {
  auto it = std::find_if(states.begin(), states.end(),
                         [&](const group::SenderKeyState& s) { return s.chain_id == chain_id; });
  return it == states.end() ? nullptr : &*it;
}

}  // namespace detail

SenderKeyRecord::SenderKeyRecord() : impl_(std::make_unique<detail::SenderKeyRecordImpl>()) {}
SenderKeyRecord::~SenderKeyRecord() = default;
SenderKeyRecord::SenderKeyRecord(SenderKeyRecord&&) noexcept = default;
SenderKeyRecord& SenderKeyRecord::operator=(SenderKeyRecord&&) noexcept = default;

SenderKeyRecord SenderKeyRecord::clone() const {
  SenderKeyRecord r;
  for (const auto& s : impl_->states) r.impl_->states.push_back(s.clone());
  return r;
}

std::size_t SenderKeyRecord::state_count() const noexcept {
  return impl_->states.size();
}

SecretBytes SenderKeyRecord::serialize() const {
  storage::SenderKeyRecordStructure rec;
  for (const auto& s : impl_->states) group::encode_state(s, *rec.add_sender_key_states());
  SecretBytes out(rec.ByteSizeLong());
  rec.SerializeWithCachedSizesToArray(out.data());
  group::wipe_secrets(rec);
  return out;
}

Result<SenderKeyRecord> SenderKeyRecord::deserialize(ByteView bytes) {
  storage::SenderKeyRecordStructure rec;
  if (!rec.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    group::wipe_secrets(rec);
    return make_error(Errc::invalid_message, "sender key record: protobuf encoding was invalid");
  }
  SenderKeyRecord out;
  Result<void> status;
  for (const auto& s : rec.sender_key_states()) {
    auto state = group::decode_state(s);
    if (!state) {
      status = std::move(state).error();
      break;
    }
    out.impl_->states.push_back(std::move(state).value());
  }
  group::wipe_secrets(rec);
  if (!status) return std::move(status).error();
  return out;
}

}  // namespace hush
