// The smallest RAII layer over the SQLite C API that hushd's storage needs:
// a connection, prepared statements compiled once, and a scoped use of a
// statement that always resets. Every failure becomes Errc::storage naming
// the operation and SQLite's message; SQLite never puts bound values into its
// messages, so no ciphertext or hash leaks into an error.
//
// (libhush's store/src/sqlite.hpp is the same idea for the client store; if
// the two should converge, promote one to a shared library rather than copy.)
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "hush/bytes.hpp"
#include "hush/result.hpp"

namespace hush::server::db_detail {

// Errc::storage: "<what>: <SQLite message>".
Error sqlite_error(sqlite3* db, std::string_view what);

// A prepared statement, compiled once (SQLITE_PREPARE_PERSISTENT) and reused
// for the life of its connection. Destroy it before the connection.
class Statement {
 public:
  Statement() = default;
  ~Statement() { finalize(); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // `name` labels errors ("enqueue: disk I/O error").
  Result<void> prepare(sqlite3* db, std::string_view name, std::string_view sql);
  void finalize() noexcept;

  sqlite3_stmt* get() const noexcept { return stmt_; }
  const std::string& name() const noexcept { return name_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  std::string name_;
};

// One execution of a statement. The destructor resets it (ending an
// implicit read transaction, which would otherwise pin the WAL and block
// checkpoints) and clears the bindings, which point into caller buffers.
class StatementUse {
 public:
  explicit StatementUse(Statement& statement) noexcept : statement_(statement) {}
  ~StatementUse();
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;

  // Binders remember the first failure and step() reports it. Blob and text
  // bindings are not copied: the buffer must outlive the use.
  StatementUse& bind_int(int index, std::int64_t value) noexcept;
  StatementUse& bind_blob(int index, ByteView value) noexcept;
  StatementUse& bind_text(int index, std::string_view value) noexcept;
  StatementUse& bind_null(int index) noexcept;

  // true: a row is ready; false: done.
  Result<bool> step();
  // Steps a statement that returns no rows.
  Result<void> run();

  // The extended result code of the last step (SQLITE_CONSTRAINT_UNIQUE...),
  // read at the failure itself: a later statement would overwrite the
  // connection's error code.
  int last_code() const noexcept { return step_rc_; }

  std::int64_t column_int(int index) const noexcept;
  bool column_is_null(int index) const noexcept;
  // Valid until the next step() or the end of this use.
  ByteView column_blob(int index) const noexcept;
  std::string_view column_text(int index) const noexcept;

 private:
  void note(int rc) noexcept;

  Statement& statement_;
  int bind_rc_ = SQLITE_OK;
  int step_rc_ = SQLITE_OK;
};

// One database connection. Not thread-safe (opened SQLITE_OPEN_NOMUTEX):
// each is owned by one thread at a time (the writer thread, or a reader
// checked out of the pool).
class Connection {
 public:
  Connection() = default;
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Opens an existing file read-write (the caller creates it with mode 0600
  // first; SQLite is never allowed to create it) and sets the busy timeout.
  Result<void> open(const std::filesystem::path& file, std::chrono::milliseconds busy_timeout);

  // Runs SQL text once (pragmas, migrations, savepoints); not for row data.
  Result<void> exec(std::string_view what, const std::string& sql);
  // The first column of a one-row query, e.g. "PRAGMA user_version".
  Result<std::int64_t> query_int(std::string_view what, const std::string& sql);

  // True while a transaction is open. SQLite rolls a transaction back by
  // itself after some errors (I/O, disk full, out of memory); the writer
  // checks this to notice.
  bool in_transaction() const noexcept { return db_ != nullptr && sqlite3_get_autocommit(db_) == 0; }
  // Rolls back if a transaction is open; never fails.
  void rollback() noexcept;

  // Rows changed by the last INSERT/UPDATE/DELETE.
  std::int64_t changes() const noexcept { return sqlite3_changes64(db_); }
  sqlite3* get() const noexcept { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace hush::server::db_detail
