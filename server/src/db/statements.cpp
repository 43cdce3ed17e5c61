#include "statements.hpp"

namespace hush::server::db_detail {

Result<void> WriterConnection::prepare() {
  sqlite3* h = db.get();
  // IMMEDIATE takes the write lock up front: a batch never fails halfway for
  // want of a lock (only another process could hold it; busy_timeout waits).
  HUSH_TRY(begin.prepare(h, "begin batch", "BEGIN IMMEDIATE"));
  HUSH_TRY(commit.prepare(h, "commit batch", "COMMIT"));
  HUSH_TRY(sync_normal.prepare(h, "relax synchronous", "PRAGMA synchronous = NORMAL"));
  HUSH_TRY(sync_full.prepare(h, "restore synchronous", "PRAGMA synchronous = FULL"));
  // One savepoint per op, released or rolled back before the next op starts,
  // so a failed op undoes only its own writes.
  HUSH_TRY(savepoint.prepare(h, "savepoint", "SAVEPOINT op"));
  HUSH_TRY(release.prepare(h, "release savepoint", "RELEASE op"));
  HUSH_TRY(rollback_to.prepare(h, "roll back savepoint", "ROLLBACK TO op"));

  HUSH_TRY(insert_invite.prepare(h, "create_invite",
                                 "INSERT INTO invites (token_hash, expires_ms, used_ms) VALUES (?1, ?2, NULL)"));
  // Consumes the invite only if it is unused and unexpired; changes() says
  // whether it did. One statement, so there is no check-then-use window.
  HUSH_TRY(use_invite.prepare(h, "use invite",
                              "UPDATE invites SET used_ms = ?2 "
                              "WHERE token_hash = ?1 AND used_ms IS NULL AND expires_ms > ?2"));
  HUSH_TRY(insert_account.prepare(h, "create_account",
                                  "INSERT INTO accounts (username, identity_key, created_ms) VALUES (?1, ?2, ?3) "
                                  "RETURNING id"));
  HUSH_TRY(insert_device.prepare(h, "insert device",
                                 "INSERT INTO devices (account_id, device_id, registration_id, secret_hash, "
                                 "created_ms) VALUES (?1, ?2, ?3, ?4, ?5)"));
  HUSH_TRY(next_device_id.prepare(h, "next device id",
                                  "SELECT coalesce(max(device_id), 0) + 1 FROM devices WHERE account_id = ?1"));
  HUSH_TRY(account_exists.prepare(h, "find account", "SELECT 1 FROM accounts WHERE id = ?1"));
  HUSH_TRY(device_exists.prepare(h, "find device",
                                 "SELECT registration_id FROM devices WHERE account_id = ?1 AND device_id = ?2"));
  HUSH_TRY(upsert_signed_prekey.prepare(
      h, "set_signed_prekey",
      "INSERT INTO signed_prekeys (account_id, device_id, key_id, public_key, signature) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (account_id, device_id) DO UPDATE SET "
      "key_id = excluded.key_id, public_key = excluded.public_key, signature = excluded.signature"));
  HUSH_TRY(upsert_prekey.prepare(h, "add_prekeys",
                                 "INSERT INTO prekeys (account_id, device_id, key_id, public_key) "
                                 "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (account_id, device_id, key_id) "
                                 "DO UPDATE SET public_key = excluded.public_key"));
  HUSH_TRY(count_prekeys.prepare(h, "count prekeys",
                                 "SELECT count(*) FROM prekeys WHERE account_id = ?1 AND device_id = ?2"));
  // LEFT JOIN: a device without a signed prekey still has a bundle.
  HUSH_TRY(select_device_bundle.prepare(
      h, "claim_bundles",
      "SELECT d.registration_id, s.key_id, s.public_key, s.signature FROM devices d "
      "LEFT JOIN signed_prekeys s ON s.account_id = d.account_id AND s.device_id = d.device_id "
      "WHERE d.account_id = ?1 AND d.device_id = ?2"));
  // The claim itself: the lowest-id prekey is deleted and returned in one
  // statement on the single writer connection, so two claims can never see
  // the same row (they are serialized by the writer thread, and each sees
  // the other's delete).
  HUSH_TRY(claim_prekey.prepare(h, "claim prekey",
                                "DELETE FROM prekeys WHERE account_id = ?1 AND device_id = ?2 AND key_id = "
                                "(SELECT min(key_id) FROM prekeys WHERE account_id = ?1 AND device_id = ?2) "
                                "RETURNING key_id, public_key"));

  HUSH_TRY(depth_get.prepare(h, "read queue depth",
                             "SELECT envelopes, bytes FROM queue_depth "
                             "WHERE destination_user = ?1 AND destination_device = ?2"));
  HUSH_TRY(depth_add.prepare(h, "add queue depth",
                             "INSERT INTO queue_depth (destination_user, destination_device, envelopes, bytes) "
                             "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (destination_user, destination_device) DO UPDATE "
                             "SET envelopes = envelopes + excluded.envelopes, bytes = bytes + excluded.bytes"));
  // No RETURNING here or below: SQLite runs a RETURNING statement into an
  // ephemeral table, a b-tree and pager of its own set up and torn down on
  // every execution (mallocs in the relay's hottest path, perf). The caller
  // checks sqlite3_changes instead.
  HUSH_TRY(depth_sub.prepare(h, "subtract queue depth",
                             "UPDATE queue_depth SET envelopes = envelopes - ?3, bytes = bytes - ?4 "
                             "WHERE destination_user = ?1 AND destination_device = ?2"));
  HUSH_TRY(queue_insert.prepare(h, "enqueue",
                                "INSERT INTO queue (destination_user, destination_device, envelope_id, type, "
                                "source_user, source_device, client_ts, server_ts, content) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
  // By the unique envelope id; the destination must match too, so a device
  // can only delete its own envelopes. length(content) feeds queue_depth.
  HUSH_TRY(queue_find.prepare(h, "delete_envelopes",
                              "SELECT seq, length(content) FROM queue WHERE envelope_id = ?1 AND "
                              "destination_user = ?2 AND destination_device = ?3"));
  HUSH_TRY(queue_delete.prepare(h, "delete_envelopes", "DELETE FROM queue WHERE seq = ?1"));
  return Ok{};
}

Result<void> ReaderConnection::prepare() {
  sqlite3* h = db.get();
  HUSH_TRY(begin.prepare(h, "begin read", "BEGIN"));
  HUSH_TRY(end.prepare(h, "end read", "COMMIT"));
  HUSH_TRY(find_account.prepare(h, "find_account", "SELECT id, identity_key FROM accounts WHERE username = ?1"));
  HUSH_TRY(list_devices.prepare(h, "find_account devices",
                                "SELECT device_id, registration_id, secret_hash, created_ms FROM devices "
                                "WHERE account_id = ?1 ORDER BY device_id"));
  HUSH_TRY(
      prekey_count.prepare(h, "prekey_count", "SELECT count(*) FROM prekeys WHERE account_id = ?1 AND device_id = ?2"));
  // Served by the (destination_user, destination_device, seq) index: a range
  // scan in seq order, no sort.
  HUSH_TRY(fetch_queue.prepare(h, "fetch_queue",
                               "SELECT seq, envelope_id, type, source_user, source_device, client_ts, server_ts, "
                               "content FROM queue WHERE destination_user = ?1 AND destination_device = ?2 AND "
                               "seq > ?3 ORDER BY seq LIMIT ?4"));
  HUSH_TRY(queue_depth.prepare(h, "queue_depth",
                               "SELECT envelopes, bytes FROM queue_depth "
                               "WHERE destination_user = ?1 AND destination_device = ?2"));
  return Ok{};
}

}  // namespace hush::server::db_detail
