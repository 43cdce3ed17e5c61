#include "schema.hpp"

#include <array>

#include "hush/sqlite/file_schema.hpp"

namespace hush::server::db_detail {

namespace {

// Append only: a released migration is never edited, because databases
// already at its version will not run it again.
//
// STRICT tables make SQLite enforce column types, and CHECKs pin the fixed
// sizes, so a bad row fails when written rather than on some later read.
// Integers: uint32 ids as SQLite integers; uint64 timestamps as their
// two's-complement int64 bit pattern. WITHOUT ROWID where the primary key is
// the only access path (no second b-tree lookup through a rowid).
//
// queue.seq is AUTOINCREMENT on purpose: a plain rowid may reuse the
// largest value after the newest row is deleted, and a client paging with
// after_seq would then skip envelopes. queue_depth is kept in step with
// queue by the write code, in the same transaction (docs/SERVER_STORAGE.md,
// "Queue depth").
constexpr std::array kMigrations{
    Migration{1, R"sql(
CREATE TABLE invites (
  token_hash BLOB    PRIMARY KEY NOT NULL CHECK (length(token_hash) = 32),
  expires_ms INTEGER NOT NULL,
  used_ms    INTEGER
) STRICT, WITHOUT ROWID;

CREATE TABLE accounts (
  id           INTEGER PRIMARY KEY,
  username     TEXT    NOT NULL UNIQUE,
  identity_key BLOB    NOT NULL CHECK (length(identity_key) = 33),
  created_ms   INTEGER NOT NULL
) STRICT;

CREATE TABLE devices (
  account_id      INTEGER NOT NULL REFERENCES accounts (id),
  device_id       INTEGER NOT NULL CHECK (device_id BETWEEN 1 AND 4294967295),
  registration_id INTEGER NOT NULL,
  secret_hash     BLOB    NOT NULL CHECK (length(secret_hash) = 32),
  created_ms      INTEGER NOT NULL,
  PRIMARY KEY (account_id, device_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE signed_prekeys (
  account_id INTEGER NOT NULL,
  device_id  INTEGER NOT NULL,
  key_id     INTEGER NOT NULL,
  public_key BLOB    NOT NULL CHECK (length(public_key) = 33),
  signature  BLOB    NOT NULL CHECK (length(signature) = 64),
  PRIMARY KEY (account_id, device_id),
  FOREIGN KEY (account_id, device_id) REFERENCES devices (account_id, device_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE prekeys (
  account_id INTEGER NOT NULL,
  device_id  INTEGER NOT NULL,
  key_id     INTEGER NOT NULL,
  public_key BLOB    NOT NULL CHECK (length(public_key) = 33),
  PRIMARY KEY (account_id, device_id, key_id),
  FOREIGN KEY (account_id, device_id) REFERENCES devices (account_id, device_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE queue (
  seq                INTEGER PRIMARY KEY AUTOINCREMENT,
  destination_user   TEXT    NOT NULL,
  destination_device INTEGER NOT NULL,
  envelope_id        BLOB    NOT NULL UNIQUE CHECK (length(envelope_id) = 16),
  type               INTEGER NOT NULL,
  source_user        TEXT    NOT NULL,
  source_device      INTEGER NOT NULL,
  client_ts          INTEGER NOT NULL,
  server_ts          INTEGER NOT NULL,
  content            BLOB    NOT NULL
) STRICT;

CREATE INDEX queue_by_destination ON queue (destination_user, destination_device, seq);

CREATE TABLE queue_depth (
  destination_user   TEXT    NOT NULL,
  destination_device INTEGER NOT NULL,
  envelopes          INTEGER NOT NULL CHECK (envelopes >= 0),
  bytes              INTEGER NOT NULL CHECK (bytes >= 0),
  PRIMARY KEY (destination_user, destination_device)
) STRICT, WITHOUT ROWID;
)sql"},
};

static_assert(sqlite::last_version(kMigrations) == kSchemaVersion, "kSchemaVersion must name the last migration");
static_assert(sqlite::numbered_from_one(kMigrations), "migrations are numbered 1, 2, 3, ...");

// "... is not a hushd database", "database schema version 4 is newer than
// this build supports (3)".
constexpr sqlite::FileSchema kFileSchema{kApplicationId, "hushd database", "database schema"};

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

Result<void> check_schema(Connection& db, std::span<const Migration> steps) {
  return sqlite::check_file_schema(db, steps, kFileSchema);
}

Result<void> migrate(Connection& db, std::span<const Migration> steps) {
  return sqlite::migrate_file_schema(db, steps, kFileSchema);
}

}  // namespace hush::server::db_detail
