// Thin RAII over the SQLite C API, shared by every SQLite file Hush keeps
// (the protocol store, the client's tables, hushd's database): a
// connection, cached prepared statements, a scoped statement use that always
// resets, and a transaction guard. Every failure becomes Errc::storage
// naming the operation and SQLite's message (which never contains bound
// values, so no key material or ciphertext).
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "hush/bytes.hpp"
#include "hush/result.hpp"

namespace hush::sqlite {

// Errc::storage: "<what>: <SQLite message>".
Error sqlite_error(sqlite3* db, std::string_view what);

// A prepared statement, compiled once and reused for the life of the
// connection (SQLITE_PREPARE_PERSISTENT).
class Statement {
 public:
  Statement() = default;
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // `name` labels errors ("load_session: database is locked").
  Result<void> prepare(sqlite3* db, std::string_view name, std::string_view sql);
  void finalize() noexcept;

  sqlite3_stmt* get() const noexcept { return stmt_; }
  const std::string& name() const noexcept { return name_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  std::string name_;
};

// One execution of a cached statement. The destructor resets the statement
// and clears its bindings: a reset ends the statement's read transaction (an
// unreset SELECT would hold back WAL checkpoints), and bindings are
// SQLITE_STATIC pointers into caller buffers, secret ones included, which
// must not outlive those buffers.
class StatementUse {
 public:
  explicit StatementUse(Statement& statement) noexcept : statement_(statement) {}
  ~StatementUse();
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;

  // Binders record the first failure; step() reports it. Blob and text
  // bindings do not copy: the buffer must live until step() returns.
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

// An open database connection plus its transaction statements. Not
// thread-safe (opened SQLITE_OPEN_NOMUTEX): one thread uses it at a time.
class Connection {
 public:
  Connection() = default;
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Opens an existing file read-write (never creates it: the caller creates
  // it with the right mode first) and sets the busy timeout.
  Result<void> open(const std::filesystem::path& file, std::chrono::milliseconds busy_timeout);

  // Runs SQL text once (pragmas, migrations, savepoints); not for row data.
  Result<void> exec(std::string_view what, const std::string& sql);
  // A single integer from a one-row query, e.g. "PRAGMA user_version".
  Result<std::int64_t> query_int(std::string_view what, const std::string& sql);

  Result<void> begin_immediate();
  Result<void> commit();
  // Rolls back if a transaction is open (SQLite may already have rolled it
  // back itself after an I/O or busy error).
  void rollback() noexcept;
  // True while a transaction is open. SQLite rolls a transaction back by
  // itself after some errors (I/O, disk full, out of memory); hushd's writer
  // checks this to notice.
  bool in_transaction() const noexcept { return db_ != nullptr && sqlite3_get_autocommit(db_) == 0; }
  // Rows changed by the last INSERT/UPDATE/DELETE.
  std::int64_t changes() const noexcept { return sqlite3_changes64(db_); }

  sqlite3* get() const noexcept { return db_; }

 private:
  sqlite3* db_ = nullptr;
  Statement begin_;
  Statement commit_;
  Statement rollback_;
};

// BEGIN IMMEDIATE now, ROLLBACK on scope exit unless commit() succeeded.
// IMMEDIATE takes the write lock up front, so a transaction never fails
// halfway for want of a lock another connection holds.
class Transaction {
 public:
  explicit Transaction(Connection& db) noexcept : db_(db) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Result<void> begin();
  Result<void> commit();

 private:
  Connection& db_;
  bool open_ = false;
};

}  // namespace hush::sqlite
