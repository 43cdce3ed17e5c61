// Every statement hushd's storage runs, prepared once per connection. The
// writer connection and the read connections run disjoint sets, so each has
// its own struct; the SQL text is in statements.cpp next to the reason for
// each query's shape.
#pragma once

#include "sqlite_wrap.hpp"

namespace hush::server::db_detail {

// Owned by the writer thread (writer.hpp); never touched by another thread.
// Member order: the connection is declared first so it is destroyed last.
struct WriterConnection {
  Connection db;

  // Batch framing (writer.cpp).
  Statement begin;
  Statement commit;
  Statement savepoint;
  Statement release;
  Statement rollback_to;
  // Around a batch of relaxed ops only (writer.hpp): COMMIT without the fsync.
  Statement sync_normal;
  Statement sync_full;

  // Directory (directory_writes.cpp).
  Statement insert_invite;
  Statement use_invite;
  Statement insert_account;
  Statement insert_device;
  Statement next_device_id;
  Statement account_exists;
  Statement device_exists;
  Statement upsert_signed_prekey;
  Statement upsert_prekey;
  Statement count_prekeys;
  Statement select_device_bundle;
  Statement claim_prekey;

  // Queues (queue_writes.cpp).
  Statement depth_get;
  Statement depth_add;
  Statement depth_sub;
  Statement queue_insert;
  Statement queue_find;    // seq and content length of an envelope, by id and destination
  Statement queue_delete;  // by seq

  Result<void> prepare();
};

// One read connection; checked out of ReaderPool by one thread at a time.
struct ReaderConnection {
  Connection db;

  Statement begin;  // deferred: a snapshot for multi-statement reads
  Statement end;
  Statement find_account;
  Statement list_devices;
  Statement prekey_count;
  Statement fetch_queue;
  Statement queue_depth;

  Result<void> prepare();
};

}  // namespace hush::server::db_detail
