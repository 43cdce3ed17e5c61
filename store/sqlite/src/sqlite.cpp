#include "hush/sqlite/sqlite.hpp"

#include <limits>

namespace hush::sqlite {

Error sqlite_error(sqlite3* db, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  msg += db != nullptr ? sqlite3_errmsg(db) : "out of memory";
  return make_error(Errc::storage, std::move(msg));
}

// --- Statement ---------------------------------------------------------------

Statement::~Statement() {
  finalize();
}

void Statement::finalize() noexcept {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
  stmt_ = nullptr;
}

Result<void> Statement::prepare(sqlite3* db, std::string_view name, std::string_view sql) {
  finalize();
  name_ = name;
  if (sql.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    return make_error(Errc::storage, name_ + ": statement too long");
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    finalize();
    return sqlite_error(db, "prepare " + name_);
  }
  return Ok{};
}

// --- StatementUse ------------------------------------------------------------

StatementUse::~StatementUse() {
  sqlite3_reset(statement_.get());
  sqlite3_clear_bindings(statement_.get());
}

void StatementUse::note(int rc) noexcept {
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

StatementUse& StatementUse::bind_int(int index, std::int64_t value) noexcept {
  note(sqlite3_bind_int64(statement_.get(), index, value));
  return *this;
}

StatementUse& StatementUse::bind_blob(int index, ByteView value) noexcept {
  // A null pointer would bind SQL NULL; an empty record must bind an empty
  // blob (x''), so point at something non-null.
  static constexpr std::uint8_t kEmpty = 0;
  const void* data = value.empty() ? &kEmpty : value.data();
  if (value.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    note(SQLITE_TOOBIG);
    return *this;
  }
  note(sqlite3_bind_blob(statement_.get(), index, data, static_cast<int>(value.size()), SQLITE_STATIC));
  return *this;
}

StatementUse& StatementUse::bind_text(int index, std::string_view value) noexcept {
  static constexpr char kEmpty = 0;
  const char* data = value.empty() ? &kEmpty : value.data();
  if (value.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    note(SQLITE_TOOBIG);
    return *this;
  }
  note(sqlite3_bind_text(statement_.get(), index, data, static_cast<int>(value.size()), SQLITE_STATIC));
  return *this;
}

StatementUse& StatementUse::bind_null(int index) noexcept {
  note(sqlite3_bind_null(statement_.get(), index));
  return *this;
}

Result<bool> StatementUse::step() {
  if (bind_rc_ != SQLITE_OK) {
    step_rc_ = bind_rc_;
    return make_error(Errc::storage, statement_.name() + ": bind: " + sqlite3_errstr(bind_rc_));
  }
  step_rc_ = sqlite3_step(statement_.get());
  if (step_rc_ == SQLITE_ROW) return true;
  if (step_rc_ == SQLITE_DONE) return false;
  // With sqlite3_prepare_v3 the step itself returns the extended code.
  return sqlite_error(sqlite3_db_handle(statement_.get()), statement_.name());
}

Result<void> StatementUse::run() {
  HUSH_ASSIGN(bool row, step());
  if (row) return make_error(Errc::storage, statement_.name() + ": unexpected result row");
  return Ok{};
}

std::int64_t StatementUse::column_int(int index) const noexcept {
  return sqlite3_column_int64(statement_.get(), index);
}

bool StatementUse::column_is_null(int index) const noexcept {
  return sqlite3_column_type(statement_.get(), index) == SQLITE_NULL;
}

ByteView StatementUse::column_blob(int index) const noexcept {
  // sqlite3_column_blob before sqlite3_column_bytes, as SQLite documents.
  const void* data = sqlite3_column_blob(statement_.get(), index);
  int n = sqlite3_column_bytes(statement_.get(), index);
  if (data == nullptr || n <= 0) return {};
  return {static_cast<const std::uint8_t*>(data), static_cast<std::size_t>(n)};
}

std::string_view StatementUse::column_text(int index) const noexcept {
  const unsigned char* data = sqlite3_column_text(statement_.get(), index);
  int n = sqlite3_column_bytes(statement_.get(), index);
  if (data == nullptr || n <= 0) return {};
  return {reinterpret_cast<const char*>(data), static_cast<std::size_t>(n)};
}

// --- Connection --------------------------------------------------------------

Connection::~Connection() {
  // Statements first: sqlite3_close refuses a connection with live statements.
  begin_.finalize();
  commit_.finalize();
  rollback_.finalize();
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Result<void> Connection::open(const std::filesystem::path& file, std::chrono::milliseconds busy_timeout) {
  // NOMUTEX: a connection is used by one thread at a time (class comment),
  // so SQLite's own per-connection mutex is pure overhead. NOFOLLOW: never open the database
  // through a symlink.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE;
  int rc = sqlite3_open_v2(file.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, "open database");
  auto ms = busy_timeout.count();
  if (ms < 0) ms = 0;
  if (ms > std::numeric_limits<int>::max()) ms = std::numeric_limits<int>::max();
  if (sqlite3_busy_timeout(db_, static_cast<int>(ms)) != SQLITE_OK) return sqlite_error(db_, "set busy timeout");
  HUSH_TRY(begin_.prepare(db_, "begin transaction", "BEGIN IMMEDIATE"));
  HUSH_TRY(commit_.prepare(db_, "commit transaction", "COMMIT"));
  HUSH_TRY(rollback_.prepare(db_, "roll back transaction", "ROLLBACK"));
  return Ok{};
}

Result<void> Connection::exec(std::string_view what, const std::string& sql) {
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) return sqlite_error(db_, what);
  return Ok{};
}

Result<std::int64_t> Connection::query_int(std::string_view what, const std::string& sql) {
  Statement statement;
  HUSH_TRY(statement.prepare(db_, what, sql));
  StatementUse use(statement);
  HUSH_ASSIGN(bool row, use.step());
  if (!row) return make_error(Errc::storage, std::string(what) + ": no result");
  return use.column_int(0);
}

Result<void> Connection::begin_immediate() {
  return StatementUse(begin_).run();
}

Result<void> Connection::commit() {
  return StatementUse(commit_).run();
}

void Connection::rollback() noexcept {
  if (db_ == nullptr || sqlite3_get_autocommit(db_) != 0) return;  // nothing open
  sqlite3_reset(rollback_.get());
  sqlite3_step(rollback_.get());
  sqlite3_reset(rollback_.get());
}

// --- Transaction -------------------------------------------------------------

Transaction::~Transaction() {
  if (open_) db_.rollback();
}

Result<void> Transaction::begin() {
  HUSH_TRY(db_.begin_immediate());
  open_ = true;
  return Ok{};
}

Result<void> Transaction::commit() {
  auto r = db_.commit();
  // A failed COMMIT may leave the transaction open (e.g. SQLITE_BUSY); the
  // destructor then rolls it back. Success closes it.
  if (r.ok()) open_ = false;
  return r;
}

}  // namespace hush::sqlite
