#include "hush/sqlite/migrations.hpp"

namespace hush::sqlite {

Error schema_too_new(std::string_view name, std::int64_t found, std::int64_t known) {
  return make_error(Errc::storage, std::string(name) + " version " + std::to_string(found) +
                                       " is newer than this build supports (" + std::to_string(known) +
                                       "); refusing to open it");
}

Result<void> migrate(Connection& db, std::span<const Migration> steps, const SchemaVersion& version) {
  const auto target = last_version(steps);
  // Outside a transaction first: the common case (already current) then
  // costs one read and no write lock.
  HUSH_ASSIGN(auto applied, version.read(db));
  if (applied > target) return schema_too_new(version.name, applied, target);

  for (const auto& m : steps) {
    if (m.version <= applied) continue;
    const std::string step = "migrate " + std::string(version.name) + " to version " + std::to_string(m.version);
    Transaction tx(db);
    HUSH_TRY(tx.begin());
    // Re-read under the write lock: another process may have migrated since.
    HUSH_ASSIGN(applied, version.read(db));
    if (applied > target) return schema_too_new(version.name, applied, target);
    if (applied >= m.version) continue;  // tx rolls back: nothing was written
    HUSH_TRY(db.exec(step, m.sql));
    HUSH_TRY(version.write(db, step, applied, m.version));
    HUSH_TRY(tx.commit());
    applied = m.version;
  }
  return Ok{};
}

}  // namespace hush::sqlite
