// hushd's schema as an ordered list of migrations. PRAGMA user_version holds
// the number of migrations applied; opening the database applies the missing
// ones, each in its own transaction, and refuses a database written by a
// newer build. docs/SERVER_STORAGE.md describes every version.
#pragma once

#include <cstdint>
#include <span>

#include "hush/sqlite/migrations.hpp"
#include "sqlite_wrap.hpp"

namespace hush::server::db_detail {

// One numbered step (hush/sqlite/migrations.hpp runs them).
using sqlite::Migration;

// The schema version this build writes (the last migration's number).
inline constexpr std::int64_t kSchemaVersion = 1;

// PRAGMA application_id of a hushd database ("HSHD"); distinct from the
// client store's "HUSH" so neither file is ever mistaken for the other.
inline constexpr std::int64_t kApplicationId = 0x48534844;

// This build's migrations, in order.
std::span<const Migration> migrations();

// Read-only check that the file may be opened by a build that knows
// `steps`: a new (version 0) file, or a hushd database at a version up to
// the last step. Writes nothing, so a refused file is left untouched.
// Errc::storage otherwise ("... newer than this build supports ...").
Result<void> check_schema(Connection& db, std::span<const Migration> steps = migrations());

// Brings the database to the last version in `steps`, one transaction per
// step (a failed step is rolled back, earlier steps stay). Errc::storage on
// any failure, a foreign file, or a newer version. `steps` is a parameter so
// tests can run synthetic migration lists.
Result<void> migrate(Connection& db, std::span<const Migration> steps = migrations());

}  // namespace hush::server::db_detail
