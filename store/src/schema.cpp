#include "schema.hpp"

#include <array>
#include <string>

#include "hush/storage_key.hpp"

namespace hush::store::detail {

namespace {

struct Migration {
  std::int64_t version;
  const char* sql;
};

// Append only: a released migration is never edited, because stores already
// at its version will not run it again. STRICT tables make SQLite enforce the
// column types; CHECKs pin the fixed key sizes so a bad row fails on write,
// not on some later read.
constexpr std::array kMigrations{
    Migration{1, R"sql(
CREATE TABLE local_identity (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  address         TEXT    NOT NULL,
  device_id       INTEGER NOT NULL,
  registration_id INTEGER NOT NULL,
  public_key      BLOB    NOT NULL CHECK (length(public_key) = 33),
  private_key     BLOB    NOT NULL CHECK (length(private_key) = 32)
) STRICT;

CREATE TABLE identities (
  name       TEXT PRIMARY KEY NOT NULL,
  public_key BLOB NOT NULL CHECK (length(public_key) = 33)
) STRICT;

CREATE TABLE prekeys (
  id          INTEGER PRIMARY KEY,
  public_key  BLOB NOT NULL CHECK (length(public_key) = 33),
  private_key BLOB NOT NULL CHECK (length(private_key) = 32)
) STRICT;

CREATE TABLE signed_prekeys (
  id          INTEGER PRIMARY KEY,
  timestamp   INTEGER NOT NULL,
  public_key  BLOB    NOT NULL CHECK (length(public_key) = 33),
  private_key BLOB    NOT NULL CHECK (length(private_key) = 32),
  signature   BLOB    NOT NULL CHECK (length(signature) = 64)
) STRICT;

CREATE TABLE sessions (
  name           TEXT    NOT NULL,
  device_id      INTEGER NOT NULL,
  format_version INTEGER NOT NULL,
  record         BLOB    NOT NULL,
  PRIMARY KEY (name, device_id)
) STRICT;
)sql"},
    // Sender keys (groups): one libsignal SenderKeyRecordStructure per
    // (sender address, distribution id), our own chains under our address.
    Migration{2, R"sql(
CREATE TABLE sender_keys (
  name            TEXT    NOT NULL,
  device_id       INTEGER NOT NULL,
  distribution_id BLOB    NOT NULL CHECK (length(distribution_id) = 16),
  format_version  INTEGER NOT NULL,
  record          BLOB    NOT NULL,
  PRIMARY KEY (name, device_id, distribution_id)
) STRICT;
)sql"},
    // Encryption at rest (docs/STORAGE.md, "Encryption at rest"). The
    // `encryption` row exists exactly when the store is sealed: written with
    // the owner row when a sealed store is created, never added to or removed
    // from an existing store. The three tables whose CHECKs pinned
    // private_key to 32 bytes are rebuilt (SQLite cannot alter a CHECK) to
    // also admit a sealed key, 32 + StorageKey::kOverhead = 72 bytes; their
    // rows are copied as they are, so a plaintext store stays plaintext.
    // IF NOT EXISTS: a store whose user_version was set back by hand (tests
    // fake older stores so) keeps its header instead of failing to migrate.
    Migration{3, R"sql(
CREATE TABLE IF NOT EXISTS encryption (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  salt        BLOB    NOT NULL CHECK (length(salt) = 16),
  opslimit    INTEGER NOT NULL CHECK (opslimit > 0),
  memlimit    INTEGER NOT NULL CHECK (memlimit > 0),
  check_value BLOB    NOT NULL CHECK (length(check_value) > 40)
) STRICT;

CREATE TABLE local_identity_v3 (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  address         TEXT    NOT NULL,
  device_id       INTEGER NOT NULL,
  registration_id INTEGER NOT NULL,
  public_key      BLOB    NOT NULL CHECK (length(public_key) = 33),
  private_key     BLOB    NOT NULL CHECK (length(private_key) IN (32, 72))
) STRICT;
INSERT INTO local_identity_v3 (id, address, device_id, registration_id, public_key, private_key)
  SELECT id, address, device_id, registration_id, public_key, private_key FROM local_identity;
DROP TABLE local_identity;
ALTER TABLE local_identity_v3 RENAME TO local_identity;

CREATE TABLE prekeys_v3 (
  id          INTEGER PRIMARY KEY,
  public_key  BLOB NOT NULL CHECK (length(public_key) = 33),
  private_key BLOB NOT NULL CHECK (length(private_key) IN (32, 72))
) STRICT;
INSERT INTO prekeys_v3 (id, public_key, private_key) SELECT id, public_key, private_key FROM prekeys;
DROP TABLE prekeys;
ALTER TABLE prekeys_v3 RENAME TO prekeys;

CREATE TABLE signed_prekeys_v3 (
  id          INTEGER PRIMARY KEY,
  timestamp   INTEGER NOT NULL,
  public_key  BLOB    NOT NULL CHECK (length(public_key) = 33),
  private_key BLOB    NOT NULL CHECK (length(private_key) IN (32, 72)),
  signature   BLOB    NOT NULL CHECK (length(signature) = 64)
) STRICT;
INSERT INTO signed_prekeys_v3 (id, timestamp, public_key, private_key, signature)
  SELECT id, timestamp, public_key, private_key, signature FROM signed_prekeys;
DROP TABLE signed_prekeys;
ALTER TABLE signed_prekeys_v3 RENAME TO signed_prekeys;
)sql"},
};

// Migration 3's CHECKs spell the sealed key length out as 72.
static_assert(32 + StorageKey::kOverhead == 72, "sealed private keys are 72 bytes");

static_assert(kMigrations.back().version == kSchemaVersion, "kSchemaVersion must name the last migration");

constexpr bool versions_are_consecutive() {
  for (std::size_t i = 0; i < kMigrations.size(); ++i)
    if (kMigrations[i].version != static_cast<std::int64_t>(i) + 1) return false;
  return true;
}
static_assert(versions_are_consecutive(), "migrations are numbered 1, 2, 3, ...");

Error too_new(std::int64_t found) {
  return make_error(Errc::storage, "store schema version " + std::to_string(found) +
                                       " is newer than this build supports (" + std::to_string(kSchemaVersion) +
                                       "); refusing to open it");
}

}  // namespace

Result<void> check_schema(Connection& db) {
  // Reading the version also proves the file is a SQLite database ("file is
  // not a database" otherwise).
  HUSH_ASSIGN(auto version, db.query_int("read schema version", "PRAGMA user_version"));
  if (version == 0) return Ok{};  // new, or never migrated: migrate() decides
  HUSH_ASSIGN(auto app, db.query_int("read application id", "PRAGMA application_id"));
  if (app != kApplicationId) return make_error(Errc::storage, "the database is not a Hush store (application id)");
  if (version < 0) return make_error(Errc::storage, "the database is not a Hush store (negative schema version)");
  if (version > kSchemaVersion) return too_new(version);
  return Ok{};
}

Result<void> migrate(Connection& db) {
  // Outside a transaction first: the common case (already current) then
  // costs one read and no write lock.
  HUSH_TRY(check_schema(db));
  HUSH_ASSIGN(auto version, db.query_int("read schema version", "PRAGMA user_version"));
  if (version == kSchemaVersion) return Ok{};

  for (const auto& m : kMigrations) {
    Transaction tx(db);
    HUSH_TRY(tx.begin());
    // Re-read under the write lock: another process may have migrated since.
    HUSH_ASSIGN(auto current, db.query_int("read schema version", "PRAGMA user_version"));
    if (current > kSchemaVersion) return too_new(current);
    if (current >= m.version) continue;
    std::string step = "migrate schema to version " + std::to_string(m.version);
    HUSH_TRY(db.exec(step, m.sql));
    // user_version lives in the database header, which is written inside
    // this transaction: the step and its version number commit together.
    HUSH_TRY(db.exec(step, "PRAGMA user_version = " + std::to_string(m.version)));
    if (m.version == 1) HUSH_TRY(db.exec(step, "PRAGMA application_id = " + std::to_string(kApplicationId)));
    HUSH_TRY(tx.commit());
  }
  return Ok{};
}

}  // namespace hush::store::detail
