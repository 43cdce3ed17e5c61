#include "store_impl.hpp"

#include <thread>

namespace hush::store::detail {

Result<void> SqliteStoreImpl::prepare_statements() {
  sqlite3* h = db.get();
  HUSH_TRY(get_identity.prepare(h, "get_identity", "SELECT public_key FROM identities WHERE name = ?"));
  HUSH_TRY(save_identity.prepare(h, "save_identity",
                                 "INSERT INTO identities (name, public_key) VALUES (?, ?) "
                                 "ON CONFLICT (name) DO UPDATE SET public_key = excluded.public_key"));
  HUSH_TRY(load_prekey.prepare(h, "load_prekey", "SELECT public_key, private_key FROM prekeys WHERE id = ?"));
  HUSH_TRY(store_prekey.prepare(h, "store_prekey",
                                "INSERT INTO prekeys (id, public_key, private_key) VALUES (?, ?, ?) "
                                "ON CONFLICT (id) DO UPDATE SET public_key = excluded.public_key, "
                                "private_key = excluded.private_key"));
  HUSH_TRY(remove_prekey.prepare(h, "remove_prekey", "DELETE FROM prekeys WHERE id = ?"));
  HUSH_TRY(load_signed_prekey.prepare(
      h, "load_signed_prekey",
      "SELECT timestamp, public_key, private_key, signature FROM signed_prekeys WHERE id = ?"));
  HUSH_TRY(store_signed_prekey.prepare(
      h, "store_signed_prekey",
      "INSERT INTO signed_prekeys (id, timestamp, public_key, private_key, signature) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT (id) DO UPDATE SET timestamp = excluded.timestamp, public_key = excluded.public_key, "
      "private_key = excluded.private_key, signature = excluded.signature"));
  HUSH_TRY(load_session.prepare(h, "load_session",
                                "SELECT format_version, record FROM sessions WHERE name = ? AND device_id = ?"));
  HUSH_TRY(store_session.prepare(h, "store_session",
                                 "INSERT INTO sessions (name, device_id, format_version, record) "
                                 "VALUES (?, ?, ?, ?) ON CONFLICT (name, device_id) DO UPDATE SET "
                                 "format_version = excluded.format_version, record = excluded.record"));
  HUSH_TRY(load_sender_key.prepare(h, "load_sender_key",
                                   "SELECT format_version, record FROM sender_keys "
                                   "WHERE name = ? AND device_id = ? AND distribution_id = ?"));
  HUSH_TRY(store_sender_key.prepare(h, "store_sender_key",
                                    "INSERT INTO sender_keys (name, device_id, distribution_id, format_version, record) "
                                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name, device_id, distribution_id) DO UPDATE "
                                    "SET format_version = excluded.format_version, record = excluded.record"));
  return Ok{};
}

Result<void> SqliteStoreImpl::configure(std::chrono::milliseconds busy_timeout) {
  HUSH_TRY(enable_wal(busy_timeout));
  // FULL: the WAL is fsynced at every commit, so a commit that returned
  // survives power loss, not only a process crash (NORMAL would not).
  HUSH_TRY(db.exec("set synchronous", "PRAGMA synchronous = FULL"));
  // Deleted rows (consumed prekeys, replaced session states with their
  // message keys) are overwritten with zeros, not left in free pages:
  // forward secrecy needs them gone from the file.
  HUSH_TRY(db.exec("set secure_delete", "PRAGMA secure_delete = ON"));
  // Our schema has no functions or views an attacker-supplied file could
  // abuse; refuse them outright.
  HUSH_TRY(db.exec("set trusted_schema", "PRAGMA trusted_schema = OFF"));
  return Ok{};
}

// WAL: a commit is one append and fsync of the log, and readers never
// block the writer. journal_mode is persistent; reading it back checks the
// switch happened (it cannot on some network file systems).
//
// The switch takes an exclusive lock. When another connection is making
// the same switch (two processes creating one store), SQLite reports BUSY
// at once rather than call the busy handler, since two connections both
// upgrading a shared lock would deadlock; so retry until the timeout.
Result<void> SqliteStoreImpl::enable_wal(std::chrono::milliseconds busy_timeout) {
  auto deadline = std::chrono::steady_clock::now() + busy_timeout;
  for (;;) {
    bool busy = false;
    auto r = try_enable_wal(busy);
    if (r.ok() || !busy || std::chrono::steady_clock::now() >= deadline) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

// `busy` reports SQLITE_BUSY, read at the failure itself: a later reset or
// finalize would overwrite the connection's error code.
Result<void> SqliteStoreImpl::try_enable_wal(bool& busy) {
  auto is_busy = [&] { return (sqlite3_extended_errcode(db.get()) & 0xff) == SQLITE_BUSY; };
  Statement wal;
  if (auto r = wal.prepare(db.get(), "enable WAL", "PRAGMA journal_mode = WAL"); !r.ok()) {
    busy = is_busy();
    return r;
  }
  StatementUse use(wal);
  auto row = use.step();
  if (!row.ok()) {
    busy = is_busy();
    return std::move(row).error();
  }
  if (!*row || use.column_text(0) != "wal")
    return make_error(Errc::storage, "enable WAL: the file system does not support WAL mode");
  return Ok{};
}

}  // namespace hush::store::detail
