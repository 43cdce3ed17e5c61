// SqliteClientState: ClientState in the client tables of a hush profile's
// SQLite file, the same file as the SqliteProtocolStore (docs/CLIENT.md
// "Profile layout"). The tables are reached through a second connection and
// versioned on their own (table client_schema; the protocol store's PRAGMA
// user_version is never touched).
//
// Sealed at rest with the StorageKey given to open() (the protocol store's
// application_key("hush.client.v1")): the device secret, outbox payloads and
// message bodies, each bound to associated data naming its table and row, so
// a sealed value copied to another row does not open. Everything else
// (usernames, device ids, message ids, timestamps, flags) is plaintext
// metadata.
//
// Durability: WAL, synchronous=FULL, secure_delete; each method is one
// transaction. lock() is an flock(2) on "<db file>.lock" (mode 0600) shared
// by every process using the profile.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "hush/client/client_state.hpp"
#include "hush/storage_key.hpp"

namespace hush::client {

// Who a profile's store belongs to, readable without the passphrase: the
// protocol store must be opened with exactly these values.
struct AccountOwner {
  std::string username;
  std::uint32_t device_id = 0;
  std::uint32_t registration_id = 0;
};

class SqliteClientState {
 public:
  // The client schema version this build writes.
  static constexpr std::int64_t kSchemaVersion = 1;

  // Opens (creating or migrating) the client tables in `db_file`, which must
  // exist (the protocol store creates it with mode 0600).
  // Errors: storage (I/O, not SQLite, client schema newer than this build).
  static Result<std::unique_ptr<ClientState>> open(const std::filesystem::path& db_file, StorageKey key,
                                                   std::chrono::milliseconds busy_timeout = std::chrono::seconds(5));

  // Reads the account owner without writing anything (no migration, no
  // pragma that persists). nullopt when the file has no account row yet.
  static Result<std::optional<AccountOwner>> read_owner(const std::filesystem::path& db_file);
};

}  // namespace hush::client
