// The versioned migration runner every SQLite file Hush keeps uses (the
// protocol store, the client's tables, hushd's database): a schema is an
// append-only list of numbered SQL steps, its applied version is a number
// kept in the file, and opening it applies the missing steps, each in its own
// transaction, and refuses a file from a newer build untouched.
//
// Where the number lives differs: PRAGMA user_version for a file of its own
// (file_schema.hpp), a table for the client's tables, which share a profile's
// file (and so its user_version) with the protocol store. SchemaVersion says
// where; the runner is the same.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "hush/sqlite/sqlite.hpp"

namespace hush::sqlite {

struct Migration {
  std::int64_t version;  // 1, 2, 3, ...: the schema version after this step
  const char* sql;       // one or more statements, run as one step
};

// Whether `steps` are numbered 1, 2, 3, ... with no gap: the runner takes a
// step's number as the version it leaves, so a gap or a repeat would skip a
// step or run one twice. For a static_assert next to each list.
constexpr bool numbered_from_one(std::span<const Migration> steps) {
  for (std::size_t i = 0; i < steps.size(); ++i)
    if (steps[i].version != static_cast<std::int64_t>(i) + 1) return false;
  return true;
}

// The version the last step leaves, 0 for no steps.
constexpr std::int64_t last_version(std::span<const Migration> steps) {
  return steps.empty() ? 0 : steps.back().version;
}

// Where one schema keeps its version, and its name in messages.
struct SchemaVersion {
  // "store schema": errors read "store schema version 4 is newer than this
  // build supports (3); ...", steps "migrate store schema to version 3".
  std::string_view name;
  // The applied version, 0 when no step has run.
  std::function<Result<std::int64_t>(Connection&)> read;
  // Records `to` inside the step's transaction (so the step and its number
  // commit together); `from` is the version before it, 0 on the first step.
  // `step` labels errors.
  std::function<Result<void>(Connection&, const std::string& step, std::int64_t from, std::int64_t to)> write;
};

// Errc::storage: "<name> version <found> is newer than this build supports
// (<known>); refusing to open it".
Error schema_too_new(std::string_view name, std::int64_t found, std::int64_t known);

// Brings `db` to last_version(steps): each missing step, in order, in its own
// IMMEDIATE transaction that re-reads the version under the write lock
// (another process may have migrated meanwhile) and writes the step's number.
// Already current costs one read and takes no write lock.
//
// Errc::storage if a step fails (that step is rolled back whole, earlier
// steps stay) or the file's version is newer than the last step (nothing is
// written). `db` must not be inside a transaction.
Result<void> migrate(Connection& db, std::span<const Migration> steps, const SchemaVersion& version);

}  // namespace hush::sqlite
