// SqliteDb: opens the file, starts the writer, and maps each Db method to a
// write op (writer.hpp, write_ops.hpp) or a pooled read (reads.hpp).
#include "sqlite_db.hpp"

#include <atomic>
#include <optional>
#include <utility>

#include "checkpointer.hpp"
#include "connections.hpp"
#include "hush/sqlite/private_files.hpp"
#include "reader_pool.hpp"
#include "reads.hpp"
#include "write_ops.hpp"
#include "writer.hpp"

namespace hush::server {

using db_detail::WriterConnection;

namespace {

// Where a blocking caller waits for its op. Shared (shared_ptr) with the
// completion callback, so the writer's notify never touches a waiter that
// has already returned. An atomic flag with C++20 wait/notify (a futex) and
// no mutex: a woken caller never blocks again on a lock the writer still
// holds, which under load cost a second context switch per op.
template <typename T>
struct Waiter {
  std::optional<Result<T>> result;  // written by the writer thread before `done` is set
  std::atomic<int> done{0};

  void set(Result<T> r) {
    result.emplace(std::move(r));
    done.store(1, std::memory_order_release);
    done.notify_one();
  }
  Result<T> wait() {
    while (done.load(std::memory_order_acquire) == 0) done.wait(0, std::memory_order_acquire);
    return std::move(*result);
  }
};

// The only exceptions below this layer are allocation failures (SQLite is
// C and our code throws none); they become Errc::storage here, so no
// exception leaves a Db method.
template <typename F>
auto without_exceptions(F&& f) noexcept -> decltype(f()) {
  try {
    return f();
  } catch (...) {
    return make_error(Errc::storage, "out of memory");
  }
}

Error writer_thread_misuse() {
  return make_error(Errc::bad_request,
                    "blocking Db write called on the writer thread (from a completion callback); "
                    "use an async method or post the work elsewhere");
}

// The async calls complete on the completion executor, when one is set.
constexpr db_detail::WriteOpKind kDeferred{.relaxed = false, .urgent = false, .deferred = true};
// The relay's deletes on ack: no fsync of their own (writer.hpp).
constexpr db_detail::WriteOpKind kRelaxedDeferred{.relaxed = true, .urgent = false, .deferred = true};

}  // namespace

template <typename T, typename Fn>
Result<T> SqliteDb::write_and_wait(Fn fn) {
  return write_and_wait<T>(std::move(fn), db_detail::WriteOpKind{});
}

template <typename T, typename Fn>
Result<T> SqliteDb::write_and_wait(Fn fn, const db_detail::WriteOpKind& kind) {
  if (writer_->on_writer_thread()) return writer_thread_misuse();
  return without_exceptions([&]() -> Result<T> {
    auto waiter = std::make_shared<Waiter<T>>();
    writer_->submit<T>(
        std::move(fn), [waiter](Result<T> r) { waiter->set(std::move(r)); }, kind);
    return waiter->wait();
  });
}

void SqliteDb::configure_library() noexcept {
  // SQLITE_MISUSE if the library is already initialized: then it stays on,
  // which is correct, only slower.
  (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::open(const std::filesystem::path& data_dir,
                                                 const SqliteDbOptions& options) {
  // Besides allocation, starting a thread can throw (std::system_error).
  return without_exceptions([&]() -> Result<std::unique_ptr<SqliteDb>> { return open_impl(data_dir, options); });
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::open_impl(const std::filesystem::path& data_dir,
                                                      const SqliteDbOptions& options) {
  HUSH_TRY(sqlite::ensure_private_directory(data_dir));
  auto file = data_dir / kFileName;
  // The file exists with mode 0600 before SQLite writes a byte to it.
  HUSH_TRY(sqlite::ensure_private_file(file));
  db_detail::ConnectionSettings settings;
  settings.busy_timeout = options.busy_timeout;
  // No ensure_private_file() from here on: opening and closing a descriptor
  // of the database, -wal or -shm file drops every POSIX lock this process
  // holds on it, SQLite's included, and another process (`hushd invite
  // create`) could then checkpoint and delete the WAL under the writer.
  // SQLite creates -wal and -shm with the database file's mode (0600).
  HUSH_ASSIGN(auto writer_connection, db_detail::open_writer(file, settings));
  auto readers = std::make_unique<db_detail::ReaderPool>(file, settings, options.max_idle_readers);
  // One reader now, so a problem with read connections shows at open.
  { HUSH_ASSIGN(auto lease, readers->acquire()); }
  HUSH_ASSIGN(auto checkpointer,
              db_detail::Checkpointer::start(file, settings, options.checkpoint_pages, 8 * options.checkpoint_pages));
  checkpointer->attach(writer_connection->db.get());  // before the writer thread exists
  auto writer = std::make_unique<db_detail::GroupCommitWriter>(std::move(writer_connection), options.max_batch_ops);
  return std::unique_ptr<SqliteDb>(new SqliteDb(std::move(readers), std::move(checkpointer), std::move(writer)));
}

SqliteDb::SqliteDb(std::unique_ptr<db_detail::ReaderPool> readers,
                   std::unique_ptr<db_detail::Checkpointer> checkpointer,
                   std::unique_ptr<db_detail::GroupCommitWriter> writer)
    : readers_(std::move(readers)), checkpointer_(std::move(checkpointer)), writer_(std::move(writer)) {}

SqliteDb::~SqliteDb() = default;

SqliteDb::WriterCounters SqliteDb::writer_counters() const noexcept {
  auto s = writer_->stats();
  return WriterCounters{s.batches,        s.ops, s.failed_batches, checkpointer_->checkpoints(), s.savepoint_retries,
                        s.relaxed_batches};
}

// --- Directory ------------------------------------------------------------------
// The blocking methods capture their arguments by reference: the caller
// waits until the op has completed, and the op runs before it completes.
// The async ones take their arguments by value and move them into the op.

Result<void> SqliteDb::create_invite(const SecretHash& token_hash, std::uint64_t expires_ms) {
  return write_and_wait<void>(
      [&](WriterConnection& w) { return db_detail::apply_create_invite(w, token_hash, expires_ms); });
}

Result<bool> SqliteDb::delete_account(const std::string& username) {
  return write_and_wait<bool>([&](WriterConnection& w) { return db_detail::apply_delete_account(w, username); });
}

Result<AccountRecord> SqliteDb::create_account(const std::string& username, ByteView identity_key,
                                               const DeviceRecord& first_device,
                                               const std::optional<SecretHash>& invite, std::uint64_t now_ms) {
  return write_and_wait<AccountRecord>([&](WriterConnection& w) {
    return db_detail::apply_create_account(w, username, identity_key, first_device, invite, now_ms);
  });
}

Result<std::uint32_t> SqliteDb::add_device(std::int64_t account_id, const DeviceRecord& device) {
  return write_and_wait<std::uint32_t>(
      [&](WriterConnection& w) { return db_detail::apply_add_device(w, account_id, device); });
}

Result<std::optional<AccountRecord>> SqliteDb::find_account(const std::string& username) {
  return without_exceptions([&]() -> Result<std::optional<AccountRecord>> {
    HUSH_ASSIGN(auto lease, readers_->acquire());
    return db_detail::read_account(*lease, username);
  });
}

Result<void> SqliteDb::set_signed_prekey(std::int64_t account_id, std::uint32_t device_id,
                                         const SignedPreKeyEntry& key) {
  return write_and_wait<void>(
      [&](WriterConnection& w) { return db_detail::apply_set_signed_prekey(w, account_id, device_id, key); });
}

Result<void> SqliteDb::add_prekeys(std::int64_t account_id, std::uint32_t device_id,
                                   const std::vector<PreKeyEntry>& keys, std::uint32_t max_stored) {
  return write_and_wait<void>(
      [&](WriterConnection& w) { return db_detail::apply_add_prekeys(w, account_id, device_id, keys, max_stored); });
}

Result<std::uint32_t> SqliteDb::prekey_count(std::int64_t account_id, std::uint32_t device_id) {
  return without_exceptions([&]() -> Result<std::uint32_t> {
    HUSH_ASSIGN(auto lease, readers_->acquire());
    return db_detail::read_prekey_count(*lease, account_id, device_id);
  });
}

Result<std::vector<DeviceBundle>> SqliteDb::claim_bundles(std::int64_t account_id,
                                                          const std::vector<std::uint32_t>& device_ids) {
  return write_and_wait<std::vector<DeviceBundle>>(
      [&](WriterConnection& w) { return db_detail::apply_claim_bundles(w, account_id, device_ids); });
}

void SqliteDb::claim_bundles_async(std::int64_t account_id, std::vector<std::uint32_t> device_ids, ClaimDone done) {
  writer_->submit<std::vector<DeviceBundle>>(
      [account_id, ids = std::move(device_ids)](WriterConnection& w) {
        return db_detail::apply_claim_bundles(w, account_id, ids);
      },
      std::move(done), kDeferred);
}

// --- Queues -----------------------------------------------------------------------

Result<Db::EnqueueOutcome> SqliteDb::enqueue(const std::vector<StoredEnvelope>& envelopes, const QueueLimits& limits) {
  if (envelopes.empty()) return EnqueueOutcome{};
  return write_and_wait<EnqueueOutcome>(
      [&](WriterConnection& w) { return db_detail::apply_enqueue(w, envelopes, limits); });
}

void SqliteDb::enqueue_async(std::vector<StoredEnvelope> envelopes, QueueLimits limits, EnqueueDone done) {
  writer_->submit<EnqueueOutcome>([envelopes = std::move(envelopes), limits](
                                      WriterConnection& w) { return db_detail::apply_enqueue(w, envelopes, limits); },
                                  std::move(done), kDeferred);
}

void SqliteDb::enqueue_shared_async(std::shared_ptr<const std::vector<StoredEnvelope>> envelopes, QueueLimits limits,
                                    EnqueueDone done) {
  writer_->submit<EnqueueOutcome>([envelopes = std::move(envelopes), limits](
                                      WriterConnection& w) { return db_detail::apply_enqueue(w, *envelopes, limits); },
                                  std::move(done), kDeferred);
}

Result<void> SqliteDb::commit_relaxed() {
  if (writer_->relaxed_uncommitted() == 0) return Ok{};
  // An urgent no-op: ops apply in order, so once it has committed, every
  // relaxed op submitted before it has too.
  return write_and_wait<void>([](WriterConnection&) -> Result<void> { return Ok{}; },
                              db_detail::WriteOpKind{.relaxed = true, .urgent = true, .deferred = false});
}

void SqliteDb::set_completion_executor(std::function<void(std::function<void()>)> executor) {
  writer_->set_completion_executor(std::move(executor));
}

Result<std::vector<Db::QueuedEnvelope>> SqliteDb::fetch_queue(const std::string& username, std::uint32_t device_id,
                                                              std::uint64_t after_seq, std::size_t limit) {
  // A queue read sees the deletes of acks already answered.
  HUSH_TRY(commit_relaxed());
  return without_exceptions([&]() -> Result<std::vector<QueuedEnvelope>> {
    HUSH_ASSIGN(auto lease, readers_->acquire());
    return db_detail::read_queue(*lease, username, device_id, after_seq, limit);
  });
}

Result<void> SqliteDb::delete_envelopes(const std::string& username, std::uint32_t device_id,
                                        const std::vector<EnvelopeId>& ids) {
  if (ids.empty()) return Ok{};
  return write_and_wait<void>(
      [&](WriterConnection& w) { return db_detail::apply_delete_envelopes(w, username, device_id, ids); });
}

void SqliteDb::delete_envelopes_async(std::string username, std::uint32_t device_id, std::vector<EnvelopeId> ids,
                                      WriteDone done) {
  writer_->submit<void>(
      [username = std::move(username), device_id, ids = std::move(ids)](WriterConnection& w) {
        return db_detail::apply_delete_envelopes(w, username, device_id, ids);
      },
      std::move(done), kRelaxedDeferred);
}

Result<QueueDepth> SqliteDb::queue_depth(const std::string& username, std::uint32_t device_id) {
  HUSH_TRY(commit_relaxed());
  return without_exceptions([&]() -> Result<QueueDepth> {
    HUSH_ASSIGN(auto lease, readers_->acquire());
    return db_detail::read_queue_depth(*lease, username, device_id);
  });
}

}  // namespace hush::server
