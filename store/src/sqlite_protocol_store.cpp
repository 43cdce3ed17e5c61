// SqliteProtocolStore: the ProtocolStore interface over the tables of
// schema.cpp. Each method is one cached statement (commit: a handful inside
// one transaction); rows are decoded straight into libhush's types.
#include "hush/store/sqlite_protocol_store.hpp"

#include <utility>

#include "local_identity.hpp"
#include "private_files.hpp"
#include "schema.hpp"
#include "sqlite.hpp"
#include "store_impl.hpp"

namespace hush::store {

namespace {

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

// Both halves from SQLite's buffers straight into the key types.
Result<KeyPair> read_key_pair(const StatementUse& row, int pub_col, int priv_col, std::string_view what) {
  auto pub = PublicKey::deserialize(row.column_blob(pub_col));
  if (!pub) return corrupt(what);
  auto priv = PrivateKey::deserialize(row.column_blob(priv_col));
  if (!priv) return corrupt(what);
  return KeyPair{*pub, std::move(*priv)};
}

Result<void> check_commit(const SessionCommit& commit) {
  if (commit.record == nullptr) return make_error(Errc::bad_request, "commit without a session record");
  return Ok{};
}

}  // namespace

SqliteProtocolStore::SqliteProtocolStore(std::unique_ptr<detail::SqliteStoreImpl> impl, std::filesystem::path path,
                                         std::string address, std::uint32_t device_id,
                                         std::uint32_t registration_id, IdentityKeyPair identity)
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
  // Sealed stores are not implemented yet in this build: refuse rather than
  // write secrets in the clear.
  if (options.passphrase) return make_error(Errc::bad_request, "sealed stores are not supported yet");
  HUSH_TRY(detail::ensure_store_directory(dir));
  auto file = dir / kFileName;
  // The file exists with mode 0600 before SQLite writes anything to it.
  HUSH_TRY(detail::ensure_private_file(file));

  auto impl = std::make_unique<detail::SqliteStoreImpl>();
  HUSH_TRY(impl->db.open(file, options.busy_timeout));
  // Checked before configure() writes anything (journal_mode is stored in
  // the file): a foreign or too-new file is refused untouched.
  HUSH_TRY(detail::check_schema(impl->db));
  HUSH_TRY(impl->configure(options.busy_timeout));
  HUSH_TRY(detail::migrate(impl->db));
  HUSH_ASSIGN(auto local, detail::load_or_create_local_identity(impl->db, options));
  HUSH_TRY(impl->prepare_statements());
  return std::unique_ptr<SqliteProtocolStore>(new SqliteProtocolStore(
      std::move(impl), std::move(file), std::move(local.address), local.device_id, local.registration_id, std::move(local.key_pair)));
}

std::optional<StorageKey> SqliteProtocolStore::application_key(std::string_view) const {
  return std::nullopt;
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
  HUSH_ASSIGN(auto pair, read_key_pair(use, 0, 1, "prekey " + std::to_string(id)));
  return std::optional<PreKeyRecord>{PreKeyRecord{id, std::move(pair)}};
}

Result<void> SqliteProtocolStore::store_prekey(const PreKeyRecord& record) {
  auto pub = record.key_pair.public_key.serialize();
  StatementUse use(impl_->store_prekey);
  use.bind_int(1, record.id).bind_blob(2, pub).bind_blob(3, record.key_pair.private_key.serialize());
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
  HUSH_ASSIGN(auto pair, read_key_pair(use, 1, 2, what));
  auto sig = use.column_blob(3);
  SignedPreKeyRecord record{id, from_sql(use.column_int(0)), std::move(pair), {}};
  if (sig.size() != record.signature.size()) return corrupt(what);
  std::copy(sig.begin(), sig.end(), record.signature.begin());
  return std::optional<SignedPreKeyRecord>{std::move(record)};
}

Result<void> SqliteProtocolStore::store_signed_prekey(const SignedPreKeyRecord& record) {
  auto pub = record.key_pair.public_key.serialize();
  StatementUse use(impl_->store_signed_prekey);
  use.bind_int(1, record.id)
      .bind_int(2, to_sql(record.timestamp))
      .bind_blob(3, pub)
      .bind_blob(4, record.key_pair.private_key.serialize())
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
  // Parsed from SQLite's buffer directly: no intermediate copy of the
  // record's private keys to wipe.
  auto record = SessionRecord::deserialize(use.column_blob(1));
  if (!record)
    return make_error(Errc::storage,
                      "stored session for " + address.to_string() + " is corrupt: " + record.error().message);
  return std::optional<SessionRecord>{std::move(*record)};
}

Result<void> SqliteProtocolStore::store_session(const ProtocolAddress& address, const SessionRecord& record) {
  SecretBytes bytes = record.serialize();  // wiped when it goes out of scope
  StatementUse use(impl_->store_session);
  use.bind_text(1, address.name)
      .bind_int(2, address.device_id)
      .bind_int(3, detail::kSessionFormatRecordStructure)
      .bind_blob(4, bytes.view());
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
  // Parsed from SQLite's buffer directly, as sessions are.
  auto record = SenderKeyRecord::deserialize(use.column_blob(1));
  if (!record) return make_error(Errc::storage, "stored " + what + " is corrupt: " + record.error().message);
  return std::optional<SenderKeyRecord>{std::move(*record)};
}

Result<void> SqliteProtocolStore::store_sender_key(const ProtocolAddress& sender,
                                                   const DistributionId& distribution_id,
                                                   const SenderKeyRecord& record) {
  SecretBytes bytes = record.serialize();  // wiped when it goes out of scope
  StatementUse use(impl_->store_sender_key);
  use.bind_text(1, sender.name)
      .bind_int(2, sender.device_id)
      .bind_blob(3, distribution_id.bytes)
      .bind_int(4, detail::kSenderKeyFormatRecordStructure)
      .bind_blob(5, bytes.view());
  return use.run();
}

// --- commit ------------------------------------------------------------------

// Everything that can fail without touching the database (validation,
// serialization) happens before BEGIN; then the writes run in one
// transaction that either commits whole or rolls back (Transaction's
// destructor) on the first failure.
Result<void> SqliteProtocolStore::commit(const SessionCommit& commit) {
  HUSH_TRY(check_commit(commit));
  SecretBytes record = commit.record->serialize();

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
        .bind_blob(4, record.view());
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
