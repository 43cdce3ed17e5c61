#include "hush/sqlite/file_schema.hpp"

#include <string>

namespace hush::sqlite {

namespace {

Result<std::int64_t> read_user_version(Connection& db) {
  return db.query_int("read schema version", "PRAGMA user_version");
}

}  // namespace

Result<void> check_file_schema(Connection& db, std::span<const Migration> steps, const FileSchema& schema) {
  // Reading the version also proves the file is a SQLite database ("file is
  // not a database" otherwise).
  HUSH_ASSIGN(auto version, read_user_version(db));
  if (version == 0) return Ok{};  // new, or never migrated: migrate decides
  HUSH_ASSIGN(auto app, db.query_int("read application id", "PRAGMA application_id"));
  const std::string not_ours = "the database is not a " + std::string(schema.kind);
  if (app != schema.application_id) return make_error(Errc::storage, not_ours + " (application id)");
  if (version < 0) return make_error(Errc::storage, not_ours + " (negative schema version)");
  if (version > last_version(steps)) return schema_too_new(schema.name, version, last_version(steps));
  return Ok{};
}

Result<void> migrate_file_schema(Connection& db, std::span<const Migration> steps, const FileSchema& schema) {
  HUSH_TRY(check_file_schema(db, steps, schema));
  const auto application_id = schema.application_id;
  SchemaVersion version{
      schema.name, read_user_version,
      [application_id](Connection& c, const std::string& step, std::int64_t from, std::int64_t to) -> Result<void> {
        // user_version and application_id live in the database header,
        // written inside the step's transaction.
        HUSH_TRY(c.exec(step, "PRAGMA user_version = " + std::to_string(to)));
        if (from == 0) HUSH_TRY(c.exec(step, "PRAGMA application_id = " + std::to_string(application_id)));
        return Ok{};
      }};
  return migrate(db, steps, version);
}

}  // namespace hush::sqlite
