// SqliteProtocolStore: the ProtocolStore interface over the tables of
// schema.cpp. Each method is one cached statement (commit: a handful inside
// one transaction); rows are decoded straight into libhush's types.
#include "hush/store/sqlite_protocol_store.hpp"

#include <utility>

#include "at_rest.hpp"
#include "local_identity.hpp"
#include "hush/sqlite/private_files.hpp"
#include "schema.hpp"
#include "sealing.hpp"
#include "sqlite_names.hpp"
#include "store_impl.hpp"

namespace hush::store {

namespace {

using detail::Sealer;
using detail::StatementUse;

Error corrupt(std::string_view what) {
  return make_error(Errc::storage, "stored " + std::string(what) + " is corrupt");
}

// SQLite integers are signed 64-bit: a uint64 timestamp is stored as its
// two's-complement bit pattern and read back the same way.
std::int64_t to_sql(std::uint64_t v) {
  return static_cast<std::int64_t>(v);
}
std::uint64_t from_sql(std::int64_t v) {
  return static_cast<std::uint64_t>(v);
}

// Both halves into the key types: from SQLite's buffers, the private key
// through `sealer` (opened into a wiped buffer in a sealed store).
Result<KeyPair> read_key_pair(const StatementUse& row, int pub_col, int priv_col, const Sealer& sealer,
                              std::string_view ad, std::string_view what) {
  auto pub = PublicKey::deserialize(row.column_blob(pub_col));
  if (!pub) return corrupt(what);
  SecretBytes opened;
  HUSH_ASSIGN(ByteView priv_bytes, sealer.open(row.column_blob(priv_col), ad, opened, what));
  auto priv = PrivateKey::deserialize(priv_bytes);
  if (!priv) return corrupt(what);
  return KeyPair{*pub, std::move(*priv)};
}

Result<void> check_commit(const SessionCommit& commit) {
  if (commit.record == nullptr) return make_error(Errc::bad_request, "commit without a session record");
  return Ok{};
}

// Hands the keys unlock() produced to the store: the protocol key to its
// sealer, the passphrase key for application_key().
void take_keys(detail::SqliteStoreImpl& impl, detail::AtRest& at_rest) {
  impl.sealer = at_rest.protocol_key ? Sealer(std::move(*at_rest.protocol_key)) : Sealer();
  impl.passphrase_key = std::move(at_rest.passphrase_key);
}

// The owner row: created (with the encryption row of a new sealed store) if
// unlock() found the store new, else loaded and its private key opened.
Result<detail::LocalIdentity> open_owner(detail::SqliteStoreImpl& impl, detail::AtRest at_rest,
                                         const OpenOptions& options) {
  take_keys(impl, at_rest);
  if (at_rest.is_new) {
    HUSH_ASSIGN(auto created, detail::create_local_identity(impl.db, options, impl.sealer, at_rest.new_header));
    if (created) return std::move(*created);
    // Another process created the store first, perhaps sealed with another
    // salt or not at all: unlock it as it now is (the only case where one
    // open derives a key twice).
    HUSH_ASSIGN(at_rest, detail::unlock(impl.db, options));
    if (at_rest.is_new) return make_error(Errc::storage, "the store's owner row vanished during open");
    take_keys(impl, at_rest);
  }
  return detail::load_local_identity(impl.db, options, impl.sealer);
}

}  // namespace

SqliteProtocolStore::SqliteProtocolStore(std::unique_ptr<detail::SqliteStoreImpl> impl, std::filesystem::path path,
                                         std::string address, std::uint32_t device_id, std::uint32_t registration_id,
                                         IdentityKeyPair identity)
    : impl_(std::move(impl)),
      path_(std::move(path)),
      address_(std::move(address)),
      device_id_(device_id),
      registration_id_(registration_id),
      identity_(std::move(identity)) {}

SqliteProtocolStore::~SqliteProtocolStore() = default;

Result<std::unique_ptr<SqliteProtocolStore>> SqliteProtocolStore::open(const std::filesystem::path& dir,
                                                                       const OpenOptions& options) {
  if (options.address.empty()) return make_error(Errc::bad_request, "store address is empty");
  HUSH_TRY(sqlite::ensure_private_directory(dir));
  auto file = dir / kFileName;
  // The file exists with mode 0600 before SQLite writes anything to it.
  HUSH_TRY(sqlite::ensure_private_file(file));

  auto impl = std::make_unique<detail::SqliteStoreImpl>();
  HUSH_TRY(impl->db.open(file, options.busy_timeout));
  // Checked before configure() writes anything (journal_mode is stored in
  // the file): a foreign or too-new file is refused untouched.
  HUSH_TRY(detail::check_schema(impl->db));
  // So is a wrong or missing passphrase, before configure() and migrate().
  HUSH_ASSIGN(auto at_rest, detail::unlock(impl->db, options));
  HUSH_TRY(impl->configure(options.busy_timeout));
  HUSH_TRY(detail::migrate(impl->db));

  HUSH_ASSIGN(auto local, open_owner(*impl, std::move(at_rest), options));
  HUSH_TRY(impl->prepare_statements());
  return std::unique_ptr<SqliteProtocolStore>(
      new SqliteProtocolStore(std::move(impl), std::move(file), std::move(local.address), local.device_id,
                              local.registration_id, std::move(local.key_pair)));
}

std::optional<StorageKey> SqliteProtocolStore::application_key(std::string_view context) const {
  if (!impl_->passphrase_key || context == detail::kProtocolKeyContext) return std::nullopt;
  return impl_->passphrase_key->subkey(context);
}

// --- identities --------------------------------------------------------------

Result<std::optional<IdentityKey>> SqliteProtocolStore::get_identity(std::string_view name) const {
  StatementUse use(impl_->get_identity);
  use.bind_text(1, name);
  HUSH_ASSIGN(bool found, use.step());
  if (!found) return std::optional<IdentityKey>{};
  auto key = PublicKey::deserialize(use.column_blob(0));
  if (!key) return corrupt("identity key");
  return std::optional<IdentityKey>{*key};
}

Result<void> SqliteProtocolStore::save_identity(std::string_view name, const IdentityKey& key) {
  auto bytes = key.serialize();
  StatementUse use(impl_->save_identity);
  use.bind_text(1, name).bind_blob(2, bytes);
  return use.run();
}

// --- prekeys -----------------------------------------------------------------

Result<std::optional<PreKeyRecord>> SqliteProtocolStore::load_prekey(std::uint32_t id) const {
  StatementUse use(impl_->load_prekey);
  use.bind_int(1, id);
  HUSH_ASSIGN(bool found, use.step());
  if (!found) return std::optional<PreKeyRecord>{};
  HUSH_ASSIGN(auto pair,
              read_key_pair(use, 0, 1, impl_->sealer, detail::ad_prekey(id), "prekey " + std::to_string(id)));
  return std::optional<PreKeyRecord>{PreKeyRecord{id, std::move(pair)}};
}

Result<void> SqliteProtocolStore::store_prekey(const PreKeyRecord& record) {
  auto pub = record.key_pair.public_key.serialize();
  Bytes sealed;
  auto priv = impl_->sealer.seal(record.key_pair.private_key.serialize(), detail::ad_prekey(record.id), sealed);
  StatementUse use(impl_->store_prekey);
  use.bind_int(1, record.id).bind_blob(2, pub).bind_blob(3, priv);
  return use.run();
}

Result<void> SqliteProtocolStore::remove_prekey(std::uint32_t id) {
  StatementUse use(impl_->remove_prekey);
  use.bind_int(1, id);
  return use.run();
}

// --- signed prekeys ----------------------------------------------------------

Result<std::optional<SignedPreKeyRecord>> SqliteProtocolStore::load_signed_prekey(std::uint32_t id) const {
  StatementUse use(impl_->load_signed_prekey);
  use.bind_int(1, id);
  HUSH_ASSIGN(bool found, use.step());
  if (!found) return std::optional<SignedPreKeyRecord>{};
  std::string what = "signed prekey " + std::to_string(id);
  HUSH_ASSIGN(auto pair, read_key_pair(use, 1, 2, impl_->sealer, detail::ad_signed_prekey(id), what));
  auto sig = use.column_blob(3);
  SignedPreKeyRecord record{id, from_sql(use.column_int(0)), std::move(pair), {}};
  if (sig.size() != record.signature.size()) return corrupt(what);
  std::copy(sig.begin(), sig.end(), record.signature.begin());
  return std::optional<SignedPreKeyRecord>{std::move(record)};
}

Result<void> SqliteProtocolStore::store_signed_prekey(const SignedPreKeyRecord& record) {
  auto pub = record.key_pair.public_key.serialize();
  Bytes sealed;
  auto priv = impl_->sealer.seal(record.key_pair.private_key.serialize(), detail::ad_signed_prekey(record.id), sealed);
  StatementUse use(impl_->store_signed_prekey);
  use.bind_int(1, record.id)
      .bind_int(2, to_sql(record.timestamp))
      .bind_blob(3, pub)
      .bind_blob(4, priv)
      .bind_blob(5, record.signature);
  return use.run();
}

// --- sessions ----------------------------------------------------------------

Result<std::optional<SessionRecord>> SqliteProtocolStore::load_session(const ProtocolAddress& address) const {
  StatementUse use(impl_->load_session);
  use.bind_text(1, address.name).bind_int(2, address.device_id);
  HUSH_ASSIGN(bool found, use.step());
  if (!found) return std::optional<SessionRecord>{};
  auto format = use.column_int(0);
  if (format != detail::kSessionFormatRecordStructure)
    return make_error(Errc::storage, "stored session for " + address.to_string() + " has unknown format version " +
                                         std::to_string(format));
  // Parsed from SQLite's buffer directly in a plaintext store: no
  // intermediate copy of the record's private keys to wipe. A sealed record
  // is opened into `opened`, wiped on return.
  SecretBytes opened;
  HUSH_ASSIGN(ByteView bytes, impl_->sealer.open(use.column_blob(1), detail::ad_session(address), opened,
                                                 "session for " + address.to_string()));
  auto record = SessionRecord::deserialize(bytes);
  if (!record)
    return make_error(Errc::storage,
                      "stored session for " + address.to_string() + " is corrupt: " + record.error().message);
  return std::optional<SessionRecord>{std::move(*record)};
}

Result<void> SqliteProtocolStore::store_session(const ProtocolAddress& address, const SessionRecord& record) {
  SecretBytes bytes = record.serialize();  // wiped when it goes out of scope
  Bytes sealed;
  auto column = impl_->sealer.seal(bytes.view(), detail::ad_session(address), sealed);
  StatementUse use(impl_->store_session);
  use.bind_text(1, address.name)
      .bind_int(2, address.device_id)
      .bind_int(3, detail::kSessionFormatRecordStructure)
      .bind_blob(4, column);
  return use.run();
}

// --- sender keys -------------------------------------------------------------

Result<std::optional<SenderKeyRecord>> SqliteProtocolStore::load_sender_key(
    const ProtocolAddress& sender, const DistributionId& distribution_id) const {
  StatementUse use(impl_->load_sender_key);
  use.bind_text(1, sender.name).bind_int(2, sender.device_id).bind_blob(3, distribution_id.bytes);
  HUSH_ASSIGN(bool found, use.step());
  if (!found) return std::optional<SenderKeyRecord>{};
  const std::string what = "sender key for " + sender.to_string() + " / " + distribution_id.to_string();
  auto format = use.column_int(0);
  if (format != detail::kSenderKeyFormatRecordStructure)
    return make_error(Errc::storage, "stored " + what + " has unknown format version " + std::to_string(format));
  // Parsed from SQLite's buffer directly or opened into a wiped buffer, as
  // sessions are.
  SecretBytes opened;
  HUSH_ASSIGN(ByteView bytes,
              impl_->sealer.open(use.column_blob(1), detail::ad_sender_key(sender, distribution_id), opened, what));
  auto record = SenderKeyRecord::deserialize(bytes);
  if (!record) return make_error(Errc::storage, "stored " + what + " is corrupt: " + record.error().message);
  return std::optional<SenderKeyRecord>{std::move(*record)};
}

Result<void> SqliteProtocolStore::store_sender_key(const ProtocolAddress& sender, const DistributionId& distribution_id,
                                                   const SenderKeyRecord& record) {
  SecretBytes bytes = record.serialize();  // wiped when it goes out of scope
  Bytes sealed;
  auto column = impl_->sealer.seal(bytes.view(), detail::ad_sender_key(sender, distribution_id), sealed);
  StatementUse use(impl_->store_sender_key);
  use.bind_text(1, sender.name)
      .bind_int(2, sender.device_id)
      .bind_blob(3, distribution_id.bytes)
      .bind_int(4, detail::kSenderKeyFormatRecordStructure)
      .bind_blob(5, column);
  return use.run();
}

// --- commit ------------------------------------------------------------------

// Everything that can fail without touching the database (validation,
// serialization, sealing) happens before BEGIN; then the writes run in one
// transaction that either commits whole or rolls back (Transaction's
// destructor) on the first failure.
Result<void> SqliteProtocolStore::commit(const SessionCommit& commit) {
  HUSH_TRY(check_commit(commit));
  SecretBytes record = commit.record->serialize();
  Bytes sealed;
  auto column = impl_->sealer.seal(record.view(), detail::ad_session(commit.address), sealed);

  detail::Transaction tx(impl_->db);
  HUSH_TRY(tx.begin());
  if (commit.identity) {
    auto key = commit.identity->serialize();
    StatementUse use(impl_->save_identity);
    use.bind_text(1, commit.address.name).bind_blob(2, key);
    HUSH_TRY(use.run());
  }
  {
    StatementUse use(impl_->store_session);
    use.bind_text(1, commit.address.name)
        .bind_int(2, commit.address.device_id)
        .bind_int(3, detail::kSessionFormatRecordStructure)
        .bind_blob(4, column);
    HUSH_TRY(use.run());
  }
  if (commit.consumed_prekey) {
    StatementUse use(impl_->remove_prekey);
    use.bind_int(1, *commit.consumed_prekey);
    HUSH_TRY(use.run());
  }
  return tx.commit();
}

}  // namespace hush::store
