// InMemoryProtocolStore: std::map-backed ProtocolStore. Every record handed in
// or out is an explicit clone, so callers and store never share secret state.
#include "hush/in_memory_store.hpp"

#include <utility>

namespace hush {

InMemoryProtocolStore::InMemoryProtocolStore(IdentityKeyPair identity, std::uint32_t registration_id)
    : identity_(std::move(identity)), registration_id_(registration_id) {}

Result<std::optional<IdentityKey>> InMemoryProtocolStore::get_identity(std::string_view name) const {
  auto it = identities_.find(name);
  if (it == identities_.end()) return std::optional<IdentityKey>{};
  return std::optional<IdentityKey>{it->second};
}

Result<void> InMemoryProtocolStore::save_identity(std::string_view name, const IdentityKey& key) {
  identities_.insert_or_assign(std::string(name), key);
  return Ok{};
}

Result<std::optional<PreKeyRecord>> InMemoryProtocolStore::load_prekey(std::uint32_t id) const {
  auto it = prekeys_.find(id);
  if (it == prekeys_.end()) return std::optional<PreKeyRecord>{};
  return std::optional<PreKeyRecord>{it->second.clone()};
}

Result<void> InMemoryProtocolStore::store_prekey(const PreKeyRecord& record) {
  prekeys_.insert_or_assign(record.id, record.clone());
  return Ok{};
}

// Removing an absent prekey is not an error (libsignal's in-memory store does
// the same): removal is idempotent, and the protocol checks for the prekey
// when it loads it, not when it removes it.
Result<void> InMemoryProtocolStore::remove_prekey(std::uint32_t id) {
  prekeys_.erase(id);
  return Ok{};
}

Result<std::optional<SignedPreKeyRecord>> InMemoryProtocolStore::load_signed_prekey(std::uint32_t id) const {
  auto it = signed_prekeys_.find(id);
  if (it == signed_prekeys_.end()) return std::optional<SignedPreKeyRecord>{};
  return std::optional<SignedPreKeyRecord>{it->second.clone()};
}

Result<void> InMemoryProtocolStore::store_signed_prekey(const SignedPreKeyRecord& record) {
  signed_prekeys_.insert_or_assign(record.id, record.clone());
  return Ok{};
}

Result<std::optional<SessionRecord>> InMemoryProtocolStore::load_session(const ProtocolAddress& address) const {
  auto it = sessions_.find(address);
  if (it == sessions_.end()) return std::optional<SessionRecord>{};
  return std::optional<SessionRecord>{it->second.clone()};
}

Result<void> InMemoryProtocolStore::store_session(const ProtocolAddress& address, const SessionRecord& record) {
  sessions_.insert_or_assign(address, record.clone());
  return Ok{};
}

Result<std::optional<SenderKeyRecord>> InMemoryProtocolStore::load_sender_key(
    const ProtocolAddress& sender, const DistributionId& distribution_id) const {
  auto it = sender_keys_.find(std::pair(sender, distribution_id));
  if (it == sender_keys_.end()) return std::optional<SenderKeyRecord>{};
  return std::optional<SenderKeyRecord>{it->second.clone()};
}

Result<void> InMemoryProtocolStore::store_sender_key(const ProtocolAddress& sender,
                                                     const DistributionId& distribution_id,
                                                     const SenderKeyRecord& record) {
  sender_keys_.insert_or_assign(std::pair(sender, distribution_id), record.clone());
  return Ok{};
}

// All or nothing: everything that can fail (validation, cloning, allocating
// map nodes) happens first, into node handles; the apply phase then only
// splices those nodes in and erases, which neither allocates nor fails.
Result<void> InMemoryProtocolStore::commit(const SessionCommit& commit) {
  if (commit.record == nullptr) return make_error(Errc::bad_request, "commit without a session record");

  decltype(sessions_) session_staging;
  session_staging.emplace(commit.address,
                          commit.record_disposable ? std::move(*commit.record) : commit.record->clone());
  auto session_node = session_staging.extract(session_staging.begin());

  decltype(identities_)::node_type identity_node;
  if (commit.identity) {
    decltype(identities_) identity_staging;
    identity_staging.emplace(commit.address.name, *commit.identity);
    identity_node = identity_staging.extract(identity_staging.begin());
  }

  // Apply. Erasing first makes each insert succeed (a node insert into a map
  // holding the key would hand the node back instead).
  if (identity_node) {
    identities_.erase(identity_node.key());
    identities_.insert(std::move(identity_node));
  }
  sessions_.erase(session_node.key());
  sessions_.insert(std::move(session_node));
  if (commit.consumed_prekey) prekeys_.erase(*commit.consumed_prekey);
  return Ok{};
}

}  // namespace hush
