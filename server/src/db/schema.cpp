#include "schema.hpp"

#include <array>
#include <string>

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

static_assert(kMigrations.back().version == kSchemaVersion, "kSchemaVersion must name the last migration");

constexpr bool versions_are_consecutive() {
  for (std::size_t i = 0; i < kMigrations.size(); ++i)
    if (kMigrations[i].version != static_cast<std::int64_t>(i) + 1) return false;
  return true;
}
static_assert(versions_are_consecutive(), "migrations are numbered 1, 2, 3, ...");

std::int64_t last_version(std::span<const Migration> steps) {
  return steps.empty() ? 0 : steps.back().version;
}

Error too_new(std::int64_t found, std::int64_t known) {
  return make_error(Errc::storage, "database schema version " + std::to_string(found) +
                                       " is newer than this build supports (" + std::to_string(known) +
                                       "); refusing to open it");
}

// Rolls back whatever is still open when a step leaves scope early.
struct RollbackGuard {
  Connection& db;
  ~RollbackGuard() { db.rollback(); }
};

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

Result<void> check_schema(Connection& db, std::span<const Migration> steps) {
  // Reading the version also proves the file is SQLite ("file is not a
  // database" otherwise).
  HUSH_ASSIGN(auto version, db.query_int("read schema version", "PRAGMA user_version"));
  if (version == 0) return Ok{};  // new, or never migrated: migrate() decides
  HUSH_ASSIGN(auto app, db.query_int("read application id", "PRAGMA application_id"));
  if (app != kApplicationId) return make_error(Errc::storage, "the database is not a hushd database (application id)");
  if (version < 0) return make_error(Errc::storage, "the database is not a hushd database (negative schema version)");
  if (version > last_version(steps)) return too_new(version, last_version(steps));
  return Ok{};
}

Result<void> migrate(Connection& db, std::span<const Migration> steps) {
  // Already current (the common case): one read, no write lock.
  HUSH_TRY(check_schema(db, steps));
  HUSH_ASSIGN(auto version, db.query_int("read schema version", "PRAGMA user_version"));
  const auto target = last_version(steps);
  if (version == target) return Ok{};

  for (const auto& m : steps) {
    if (m.version <= version) continue;
    RollbackGuard guard{db};
    std::string step = "migrate schema to version " + std::to_string(m.version);
    HUSH_TRY(db.exec(step, "BEGIN IMMEDIATE"));
    // Re-read under the write lock: another process may have migrated since.
    HUSH_ASSIGN(version, db.query_int("read schema version", "PRAGMA user_version"));
    if (version > target) return too_new(version, target);
    if (version >= m.version) {
      db.rollback();
      continue;
    }
    HUSH_TRY(db.exec(step, m.sql));
    // user_version lives in the database header, written inside this
    // transaction: the step and its number commit together or not at all.
    HUSH_TRY(db.exec(step, "PRAGMA user_version = " + std::to_string(m.version)));
    if (m.version == 1) HUSH_TRY(db.exec(step, "PRAGMA application_id = " + std::to_string(kApplicationId)));
    HUSH_TRY(db.exec(step, "COMMIT"));
    version = m.version;
  }
  return Ok{};
}

}  // namespace hush::server::db_detail
