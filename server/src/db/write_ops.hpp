// The body of every Db write, as run by the writer thread inside the op's
// savepoint (writer.hpp). Each returns the method's result; a failure makes
// the writer roll back whatever the op wrote. They run only on the writer
// thread, with exclusive use of `w`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db.hpp"
#include "statements.hpp"

namespace hush::server::db_detail {

// --- directory_writes.cpp ---
Result<void> apply_create_invite(WriterConnection& w, const SecretHash& token_hash, std::uint64_t expires_ms);
Result<AccountRecord> apply_create_account(WriterConnection& w, const std::string& username, ByteView identity_key,
                                           const DeviceRecord& first_device, const std::optional<SecretHash>& invite,
                                           std::uint64_t now_ms);
Result<std::uint32_t> apply_add_device(WriterConnection& w, std::int64_t account_id, const DeviceRecord& device);
Result<void> apply_set_signed_prekey(WriterConnection& w, std::int64_t account_id, std::uint32_t device_id,
                                     const SignedPreKeyEntry& key);
Result<void> apply_add_prekeys(WriterConnection& w, std::int64_t account_id, std::uint32_t device_id,
                               const std::vector<PreKeyEntry>& keys, std::uint32_t max_stored);
Result<std::vector<DeviceBundle>> apply_claim_bundles(WriterConnection& w, std::int64_t account_id,
                                                      const std::vector<std::uint32_t>& device_ids);

// --- account_admin.cpp ---
Result<bool> apply_delete_account(WriterConnection& w, const std::string& username);

// --- queue_writes.cpp ---
Result<Db::EnqueueOutcome> apply_enqueue(WriterConnection& w, const std::vector<StoredEnvelope>& envelopes,
                                         const QueueLimits& limits);
Result<void> apply_delete_envelopes(WriterConnection& w, const std::string& username, std::uint32_t device_id,
                                    const std::vector<EnvelopeId>& ids);

}  // namespace hush::server::db_detail
