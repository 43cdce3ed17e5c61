#include "client_schema.hpp"

#include <array>
#include <string>

#include "hush/sqlite/migrations.hpp"

namespace hush::client::detail {

namespace {

// Append only: a released migration is never edited. STRICT tables make
// SQLite enforce the column types. Columns named "sealed" hold
// StorageKey::seal output (nonce || ciphertext || tag), see
// sqlite_client_state.cpp for each one's associated data.
constexpr std::array kMigrations{
    sqlite::Migration{1, R"sql(
CREATE TABLE account (
  id                       INTEGER PRIMARY KEY CHECK (id = 1),
  server                   TEXT    NOT NULL,
  ca_file                  TEXT    NOT NULL,
  username                 TEXT    NOT NULL,
  device_id                INTEGER NOT NULL,
  registration_id          INTEGER NOT NULL,
  sealed_device_secret     BLOB    NOT NULL,
  registered               INTEGER NOT NULL,
  next_prekey_id           INTEGER NOT NULL,
  signed_prekey_id         INTEGER,
  signed_prekey_created_at INTEGER NOT NULL,
  signed_prekey_uploaded   INTEGER NOT NULL
) STRICT;

CREATE TABLE retired_signed_prekeys (
  id         INTEGER PRIMARY KEY,
  retired_at INTEGER NOT NULL
) STRICT;

CREATE TABLE contacts (
  name             TEXT PRIMARY KEY NOT NULL,
  verified         INTEGER NOT NULL DEFAULT 0,
  identity_changed INTEGER NOT NULL DEFAULT 0,
  last_message_at  INTEGER,
  new_identity_key BLOB CHECK (new_identity_key IS NULL OR length(new_identity_key) = 33)
) STRICT;

CREATE TABLE contact_devices (
  name      TEXT    NOT NULL,
  device_id INTEGER NOT NULL,
  PRIMARY KEY (name, device_id)
) STRICT;

CREATE TABLE messages (
  seq         INTEGER PRIMARY KEY,
  direction   TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
  peer        TEXT    NOT NULL,
  device_id   INTEGER NOT NULL,
  message_id  BLOB    NOT NULL CHECK (length(message_id) = 16),
  sent_at     INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  sealed_body BLOB    NOT NULL,
  UNIQUE (direction, peer, message_id)
) STRICT;
CREATE INDEX messages_by_peer ON messages (peer, seq);

CREATE TABLE outbox (
  seq              INTEGER PRIMARY KEY,
  message_id       BLOB    NOT NULL UNIQUE CHECK (length(message_id) = 16),
  peer             TEXT    NOT NULL,
  sealed_plaintext BLOB    NOT NULL,
  created_at       INTEGER NOT NULL
) STRICT;

CREATE TABLE undecryptable (
  seq       INTEGER PRIMARY KEY,
  sender    TEXT    NOT NULL,
  device_id INTEGER NOT NULL,
  reason    TEXT    NOT NULL,
  at        INTEGER NOT NULL
) STRICT;
)sql"},
};

static_assert(sqlite::last_version(kMigrations) == kClientSchemaVersion,
              "kClientSchemaVersion names the last migration");
static_assert(sqlite::numbered_from_one(kMigrations), "migrations are numbered 1, 2, 3, ...");

Result<std::int64_t> read_version(Connection& db) {
  HUSH_ASSIGN(bool present, client_schema_present(db));
  if (!present) return std::int64_t{0};
  return db.query_int("read client schema version", "SELECT version FROM client_schema WHERE id = 1");
}

// The version table is created by the first step's transaction, so a
// profile whose first step failed has no client tables at all.
Result<void> write_version(Connection& db, const std::string& step, std::int64_t from, std::int64_t to) {
  if (from == 0)
    HUSH_TRY(db.exec(step,
                     "CREATE TABLE client_schema (id INTEGER PRIMARY KEY CHECK (id = 1), "
                     "version INTEGER NOT NULL) STRICT; INSERT INTO client_schema VALUES (1, 0)"));
  return db.exec(step, "UPDATE client_schema SET version = " + std::to_string(to) + " WHERE id = 1");
}

}  // namespace

Result<bool> client_schema_present(Connection& db) {
  HUSH_ASSIGN(auto n,
              db.query_int("find client schema",
                           "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'client_schema'"));
  return n > 0;
}

Result<void> migrate_client_schema(Connection& db) {
  return sqlite::migrate(db, kMigrations, sqlite::SchemaVersion{"client schema", read_version, write_version});
}

}  // namespace hush::client::detail
