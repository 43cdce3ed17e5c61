// The SQLite side of SqliteProtocolStore: its connection, the connection
// settings, and every statement the store runs, prepared once at open.
#pragma once

#include <chrono>
#include <optional>

#include "hush/storage_key.hpp"
#include "sealing.hpp"
#include "sqlite_names.hpp"

namespace hush::store::detail {

// Member order matters: statements are destroyed before the connection.
struct SqliteStoreImpl {
  // Seals and opens the secret columns (plaintext store: passes them through).
  Sealer sealer;
  // The Argon2id key of a sealed store, kept for application_key(); unset
  // for a plaintext store.
  std::optional<StorageKey> passphrase_key;

  Connection db;
  Statement get_identity;
  Statement save_identity;
  Statement load_prekey;
  Statement store_prekey;
  Statement remove_prekey;
  Statement load_signed_prekey;
  Statement store_signed_prekey;
  Statement load_session;
  Statement store_session;
  Statement load_sender_key;
  Statement store_sender_key;

  // Durability and hygiene settings (docs/STORAGE.md, "Durability").
  Result<void> configure(std::chrono::milliseconds busy_timeout);
  Result<void> prepare_statements();

 private:
  Result<void> enable_wal(std::chrono::milliseconds busy_timeout);
  Result<void> try_enable_wal(bool& busy);
};

}  // namespace hush::store::detail
