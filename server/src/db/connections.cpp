#include "connections.hpp"

#include <string>
#include <thread>

#include "schema.hpp"

namespace hush::server::db_detail {

namespace {

// WAL: a commit appends to the log and fsyncs it once; readers work on a
// snapshot and never block the writer (nor it them). journal_mode is
// persistent; reading it back checks the switch happened (it cannot on some
// network file systems). The switch takes an exclusive lock and SQLite
// reports BUSY at once, without the busy handler, when another process is
// doing the same; so retry until the timeout.
Result<void> enable_wal(Connection& db, std::chrono::milliseconds busy_timeout) {
  auto deadline = std::chrono::steady_clock::now() + busy_timeout;
  for (;;) {
    Statement wal;
    HUSH_TRY(wal.prepare(db.get(), "enable WAL", "PRAGMA journal_mode = WAL"));
    StatementUse use(wal);
    auto row = use.step();
    if (row.ok()) {
      if (!*row || use.column_text(0) != "wal")
        return make_error(Errc::storage, "enable WAL: the file system does not support WAL mode");
      return Ok{};
    }
    bool busy = (use.last_code() & 0xff) == SQLITE_BUSY;
    if (!busy || std::chrono::steady_clock::now() >= deadline) return std::move(row).error();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

Result<void> configure_common(Connection& db, const ConnectionSettings& settings) {
  // Whichever connection closes last checkpoints the WAL into the database
  // file and removes it; that one, a reader maybe, must sync like the writer.
  HUSH_TRY(db.exec("set synchronous", "PRAGMA synchronous = FULL"));
  // A tampered file's triggers or views cannot call functions with side
  // effects; our schema uses none.
  HUSH_TRY(db.exec("set trusted_schema", "PRAGMA trusted_schema = OFF"));
  HUSH_TRY(db.exec("set cache_size", "PRAGMA cache_size = -" + std::to_string(settings.cache_kib)));
  return Ok{};
}

}  // namespace

Result<std::unique_ptr<WriterConnection>> open_writer(const std::filesystem::path& file,
                                                      const ConnectionSettings& settings) {
  auto w = std::make_unique<WriterConnection>();
  HUSH_TRY(w->db.open(file, settings.busy_timeout));
  HUSH_TRY(check_schema(w->db));
  HUSH_TRY(enable_wal(w->db, settings.busy_timeout));
  // FULL: in WAL mode every COMMIT fsyncs the log before it returns, so an
  // acknowledged write survives power loss, not only a crash (NORMAL would
  // fsync only at checkpoints and could lose the last commits).
  HUSH_TRY(w->db.exec("set synchronous", "PRAGMA synchronous = FULL"));
  // Deleted queue rows (who wrote to whom) are zeroed where that costs no
  // extra I/O: in b-tree pages being rewritten anyway. FAST leaves freed
  // overflow pages of large envelopes as they were (they hold ciphertext only).
  HUSH_TRY(w->db.exec("set secure_delete", "PRAGMA secure_delete = FAST"));
  HUSH_TRY(w->db.exec("set foreign_keys", "PRAGMA foreign_keys = ON"));
  // Checkpoints: SqliteDb replaces the autocheckpoint hook with
  // Checkpointer's (checkpointer.hpp); nothing may set wal_autocheckpoint
  // after that, as it would replace the hook again.
  // After a checkpoint resets the log, truncate it back to this size, so one
  // burst does not leave a huge -wal file behind for ever.
  HUSH_TRY(w->db.exec("set journal_size_limit", "PRAGMA journal_size_limit = 67108864"));
  HUSH_TRY(configure_common(w->db, settings));
  HUSH_TRY(migrate(w->db));
  HUSH_TRY(w->prepare());
  return w;
}

Result<std::unique_ptr<ReaderConnection>> open_reader(const std::filesystem::path& file,
                                                      const ConnectionSettings& settings) {
  auto r = std::make_unique<ReaderConnection>();
  HUSH_TRY(r->db.open(file, settings.busy_timeout));
  // Read connections never write: a bug that tried would fail loudly instead
  // of taking the write lock behind the writer thread's back.
  HUSH_TRY(r->db.exec("set query_only", "PRAGMA query_only = ON"));
  HUSH_TRY(configure_common(r->db, settings));
  HUSH_TRY(r->prepare());
  return r;
}

}  // namespace hush::server::db_detail
