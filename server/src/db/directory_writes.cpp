// Writes of the key directory: invites, accounts, devices, prekeys, and the
// prekey claim (a write: it deletes the claimed one-time prekey).
#include <algorithm>

#include "sql_values.hpp"
#include "write_ops.hpp"

namespace hush::server::db_detail {

namespace {

bool is_unique_violation(const StatementUse& use) {
  return use.last_code() == SQLITE_CONSTRAINT_UNIQUE || use.last_code() == SQLITE_CONSTRAINT_PRIMARYKEY;
}

// Reads of existence run on the writer connection, inside the batch: they
// see the writes of earlier ops of the same batch (an account created two
// ops ago exists), which a read connection would not.
Result<bool> device_exists(WriterConnection& w, std::int64_t account_id, std::uint32_t device_id) {
  StatementUse use(w.device_exists);
  use.bind_int(1, account_id).bind_int(2, device_id);
  return use.step();
}

Result<void> insert_device(WriterConnection& w, std::int64_t account_id, std::uint32_t device_id,
                           const DeviceRecord& device, std::uint64_t created_ms) {
  StatementUse use(w.insert_device);
  use.bind_int(1, account_id)
      .bind_int(2, device_id)
      .bind_int(3, device.registration_id)
      .bind_blob(4, device.secret_hash)
      .bind_int(5, to_sql(created_ms));
  return use.run();
}

}  // namespace

Result<void> apply_create_invite(WriterConnection& w, const SecretHash& token_hash, std::uint64_t expires_ms) {
  StatementUse use(w.insert_invite);
  use.bind_blob(1, token_hash).bind_int(2, to_sql(expires_ms));
  auto r = use.run();
  if (!r && is_unique_violation(use)) return make_db_error(DbError::duplicate_invite);
  return r;
}

Result<AccountRecord> apply_create_account(WriterConnection& w, const std::string& username, ByteView identity_key,
                                           const DeviceRecord& first_device, const std::optional<SecretHash>& invite,
                                           std::uint64_t now_ms) {
  if (identity_key.size() != kPublicKeySize) return make_db_error(DbError::invalid_argument);
  // The invite first: without a valid invite nobody learns whether a
  // username exists. If the username then turns out taken, the writer rolls
  // the op back to its savepoint and the invite is unused again.
  if (invite) {
    StatementUse use(w.use_invite);
    use.bind_blob(1, *invite).bind_int(2, to_sql(now_ms));
    HUSH_TRY(use.run());
    if (w.db.changes() != 1) return make_db_error(DbError::invalid_invite);
  }
  AccountRecord account;
  {
    StatementUse use(w.insert_account);
    use.bind_text(1, username).bind_blob(2, identity_key).bind_int(3, to_sql(now_ms));
    auto row = use.step();
    if (!row && is_unique_violation(use)) return make_db_error(DbError::username_taken);
    HUSH_TRY(row);
    if (!*row) return make_error(Errc::storage, "create_account: no id returned");
    account.account_id = use.column_int(0);
  }
  DeviceRecord device = first_device;
  device.device_id = 1;
  if (device.created_ms == 0) device.created_ms = now_ms;
  HUSH_TRY(insert_device(w, account.account_id, 1, device, device.created_ms));
  account.username = username;
  account.identity_key.assign(identity_key.begin(), identity_key.end());
  account.devices.push_back(device);
  return account;
}

Result<std::uint32_t> apply_add_device(WriterConnection& w, std::int64_t account_id, const DeviceRecord& device) {
  {
    StatementUse use(w.account_exists);
    use.bind_int(1, account_id);
    HUSH_ASSIGN(bool found, use.step());
    if (!found) return make_db_error(DbError::unknown_account);
  }
  std::int64_t next = 0;
  {
    StatementUse use(w.next_device_id);
    use.bind_int(1, account_id);
    HUSH_ASSIGN(bool row, use.step());
    if (!row) return make_error(Errc::storage, "add_device: no next id");
    next = use.column_int(0);
  }
  if (next > static_cast<std::int64_t>(UINT32_MAX)) return make_error(Errc::bad_request, "device ids exhausted");
  auto device_id = static_cast<std::uint32_t>(next);
  HUSH_TRY(insert_device(w, account_id, device_id, device, device.created_ms));
  return device_id;
}

Result<void> apply_set_signed_prekey(WriterConnection& w, std::int64_t account_id, std::uint32_t device_id,
                                     const SignedPreKeyEntry& key) {
  if (key.public_key.size() != kPublicKeySize || key.signature.size() != kSignatureSize)
    return make_db_error(DbError::invalid_argument);
  HUSH_ASSIGN(bool found, device_exists(w, account_id, device_id));
  if (!found) return make_db_error(DbError::unknown_device);
  StatementUse use(w.upsert_signed_prekey);
  use.bind_int(1, account_id)
      .bind_int(2, device_id)
      .bind_int(3, key.key_id)
      .bind_blob(4, key.public_key)
      .bind_blob(5, key.signature);
  return use.run();
}

Result<void> apply_add_prekeys(WriterConnection& w, std::int64_t account_id, std::uint32_t device_id,
                               const std::vector<PreKeyEntry>& keys, std::uint32_t max_stored) {
  for (const auto& k : keys)
    if (k.public_key.size() != kPublicKeySize) return make_db_error(DbError::invalid_argument);
  HUSH_ASSIGN(bool found, device_exists(w, account_id, device_id));
  if (!found) return make_db_error(DbError::unknown_device);
  for (const auto& k : keys) {
    StatementUse use(w.upsert_prekey);
    use.bind_int(1, account_id).bind_int(2, device_id).bind_int(3, k.key_id).bind_blob(4, k.public_key);
    HUSH_TRY(use.run());
  }
  // Counted after the upserts, so replacements are not double-counted; over
  // the limit, the writer rolls all of them back.
  StatementUse use(w.count_prekeys);
  use.bind_int(1, account_id).bind_int(2, device_id);
  HUSH_ASSIGN(bool row, use.step());
  if (!row) return make_error(Errc::storage, "add_prekeys: no count");
  if (use.column_int(0) > static_cast<std::int64_t>(max_stored)) return make_db_error(DbError::too_many_prekeys);
  return Ok{};
}

Result<std::vector<DeviceBundle>> apply_claim_bundles(WriterConnection& w, std::int64_t account_id,
                                                      const std::vector<std::uint32_t>& device_ids) {
  std::vector<DeviceBundle> bundles;
  bundles.reserve(device_ids.size());
  for (std::size_t i = 0; i < device_ids.size(); ++i) {
    auto device_id = device_ids[i];
    // A device named twice gets one bundle (and spends one prekey).
    if (std::find(device_ids.begin(), device_ids.begin() + static_cast<std::ptrdiff_t>(i), device_id) !=
        device_ids.begin() + static_cast<std::ptrdiff_t>(i))
      continue;
    DeviceBundle bundle;
    bundle.device_id = device_id;
    {
      StatementUse use(w.select_device_bundle);
      use.bind_int(1, account_id).bind_int(2, device_id);
      HUSH_ASSIGN(bool row, use.step());
      if (!row) continue;  // no such device: left out (db.hpp)
      bundle.registration_id = u32_from_sql(use.column_int(0));
      if (!use.column_is_null(1)) {
        auto pub = use.column_blob(2);
        auto sig = use.column_blob(3);
        bundle.signed_prekey = SignedPreKeyEntry{u32_from_sql(use.column_int(1)), Bytes(pub.begin(), pub.end()),
                                                 Bytes(sig.begin(), sig.end())};
      }
    }
    {
      StatementUse use(w.claim_prekey);
      use.bind_int(1, account_id).bind_int(2, device_id);
      HUSH_ASSIGN(bool row, use.step());
      if (row) {
        auto pub = use.column_blob(1);
        bundle.prekey = PreKeyEntry{u32_from_sql(use.column_int(0)), Bytes(pub.begin(), pub.end())};
      }
    }
    bundles.push_back(std::move(bundle));
  }
  return bundles;
}

}  // namespace hush::server::db_detail
