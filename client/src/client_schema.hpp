// The client tables of a hush profile (docs/CLIENT.md "Profile layout"), as
// an ordered list of migrations. Their version lives in the one-row table
// client_schema, not in PRAGMA user_version, which belongs to the protocol
// store in the same file.
#pragma once

#include <cstdint>

#include "hush/sqlite/sqlite.hpp"

namespace hush::client::detail {

using sqlite::Connection;

// The version this build writes (the last migration's number).
inline constexpr std::int64_t kClientSchemaVersion = 1;

// Brings the client tables to kClientSchemaVersion, one transaction per
// migration. Errc::storage when a migration fails or the tables are newer
// than this build.
Result<void> migrate_client_schema(Connection& db);

// Whether the client tables exist at all (read-only).
Result<bool> client_schema_present(Connection& db);

}  // namespace hush::client::detail
