// The store's schema as an ordered list of migrations. PRAGMA user_version
// holds the number of migrations applied; opening a store applies the missing
// ones, each in its own transaction, and refuses a store from a newer build.
// docs/STORAGE.md describes every version.
#pragma once

#include <cstdint>

#include "sqlite_names.hpp"

namespace hush::store::detail {

// The schema version this build writes (the last migration's number).
inline constexpr std::int64_t kSchemaVersion = 3;

// PRAGMA application_id of a Hush store ("HUSH"), so a SQLite file written by
// something else is refused by name instead of misread.
inline constexpr std::int64_t kApplicationId = 0x48555348;

// Format of sessions.record: 1 = libsignal RecordStructure protobuf bytes,
// exactly SessionRecord::serialize().
inline constexpr std::int64_t kSessionFormatRecordStructure = 1;

// Format of sender_keys.record: 1 = libsignal SenderKeyRecordStructure
// protobuf bytes, exactly SenderKeyRecord::serialize().
inline constexpr std::int64_t kSenderKeyFormatRecordStructure = 1;

// Read-only check that the file is a SQLite database this build may open: a
// new (version 0) file, or a Hush store at a version up to kSchemaVersion.
// Runs before any setting is written, so a refused file is left untouched.
// Errc::storage otherwise.
Result<void> check_schema(Connection& db);

// Brings the database to kSchemaVersion. Errc::storage if the file is not a
// Hush store (or not SQLite at all), a migration fails (that step is rolled back; earlier ones
// stay), or the file's version is newer than kSchemaVersion.
Result<void> migrate(Connection& db);

}  // namespace hush::store::detail
