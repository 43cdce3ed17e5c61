// A schema that owns its SQLite file: its version is PRAGMA user_version and
// the file is marked with PRAGMA application_id, both in the database header.
// The protocol store and hushd's database are such files; the mark keeps a
// SQLite file written by something else (or by the other one) from being
// misread as ours.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "hush/sqlite/migrations.hpp"

namespace hush::sqlite {

struct FileSchema {
  std::int64_t application_id;  // written with the first step
  std::string_view kind;        // "Hush store": "the database is not a Hush store (...)"
  std::string_view name;        // "store schema", see SchemaVersion::name
};

// Read-only check that `db` may be opened by a build that knows `steps`: a
// new (version 0) file, or a file marked as `schema` at a version up to the
// last step. Writes nothing, so a refused file is left untouched; a caller
// that must configure the file (journal mode...) checks this first.
// Errc::storage otherwise, also when the file is not SQLite at all.
Result<void> check_file_schema(Connection& db, std::span<const Migration> steps, const FileSchema& schema);

// check_file_schema(), then migrate() with the version in PRAGMA
// user_version; the first step also writes the application_id. Errors as
// for those two.
Result<void> migrate_file_schema(Connection& db, std::span<const Migration> steps, const FileSchema& schema);

}  // namespace hush::sqlite
