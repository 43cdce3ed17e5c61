// A ProtocolStore (and SenderKeyStore) held in memory: for tests, benchmarks
// and embedders that persist elsewhere. Not thread-safe; one party per store.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "hush/group.hpp"
#include "hush/stores.hpp"

namespace hush {

class InMemoryProtocolStore final : public ProtocolStore, public SenderKeyStore {
 public:
  InMemoryProtocolStore(IdentityKeyPair identity, std::uint32_t registration_id);

  const IdentityKeyPair& identity_key_pair() const override { return identity_; }
  std::uint32_t local_registration_id() const override { return registration_id_; }
  Result<std::optional<IdentityKey>> get_identity(std::string_view name) const override;
  Result<void> save_identity(std::string_view name, const IdentityKey& key) override;

  Result<std::optional<PreKeyRecord>> load_prekey(std::uint32_t id) const override;
  Result<void> store_prekey(const PreKeyRecord& record) override;
  Result<void> remove_prekey(std::uint32_t id) override;

  Result<std::optional<SignedPreKeyRecord>> load_signed_prekey(std::uint32_t id) const override;
  Result<void> store_signed_prekey(const SignedPreKeyRecord& record) override;

  Result<std::optional<SessionRecord>> load_session(const ProtocolAddress& address) const override;
  Result<void> store_session(const ProtocolAddress& address, const SessionRecord& record) override;

  Result<void> commit(const SessionCommit& commit) override;

  Result<std::optional<SenderKeyRecord>> load_sender_key(const ProtocolAddress& sender,
                                                         const DistributionId& distribution_id) const override;
  Result<void> store_sender_key(const ProtocolAddress& sender, const DistributionId& distribution_id,
                                const SenderKeyRecord& record) override;

 private:
  IdentityKeyPair identity_;
  std::uint32_t registration_id_;
  std::map<std::string, IdentityKey, std::less<>> identities_;
  std::map<std::uint32_t, PreKeyRecord> prekeys_;
  std::map<std::uint32_t, SignedPreKeyRecord> signed_prekeys_;
  std::map<ProtocolAddress, SessionRecord> sessions_;
  std::map<std::pair<ProtocolAddress, DistributionId>, SenderKeyRecord> sender_keys_;
};

}  // namespace hush
