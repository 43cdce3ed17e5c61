#include "schema.hpp"

#include <array>

#include "hush/sqlite/file_schema.hpp"
#include "hush/storage_key.hpp"

namespace hush::store::detail {

namespace {

using sqlite::Migration;

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

static_assert(sqlite::last_version(kMigrations) == kSchemaVersion, "kSchemaVersion must name the last migration");
static_assert(sqlite::numbered_from_one(kMigrations), "migrations are numbered 1, 2, 3, ...");

// Error texts name the file a user would recognise: "... is not a Hush
// store", "store schema version 4 is newer than this build supports (3)".
constexpr sqlite::FileSchema kFileSchema{kApplicationId, "Hush store", "store schema"};

}  // namespace

Result<void> check_schema(Connection& db) {
  return sqlite::check_file_schema(db, kMigrations, kFileSchema);
}

Result<void> migrate(Connection& db) {
  return sqlite::migrate_file_schema(db, kMigrations, kFileSchema);
}

}  // namespace hush::store::detail
