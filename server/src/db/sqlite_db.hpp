// SqliteDb: the embedded default Db (db.hpp) on one SQLite file,
// <data_dir>/hushd.db. docs/SERVER_STORAGE.md describes the schema, the
// group-commit writer and the durability argument.
//
// Threads: every method may be called from any thread. Writes go to one
// writer thread that commits them in batches (writer.hpp); reads use a pool
// of read connections and run concurrently with the writer and each other.
// A write's result is delivered only after its batch's COMMIT has returned,
// i.e. after the WAL is fsynced (synchronous=FULL).
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>

#include "db.hpp"

namespace hush::server {

namespace db_detail {
struct WriteOpKind;
class Checkpointer;
class GroupCommitWriter;
class ReaderPool;
}  // namespace db_detail

struct SqliteDbOptions {
  // How long a connection waits for a lock another process holds (a backup
  // tool, the sqlite3 shell) before failing with Errc::storage.
  std::chrono::milliseconds busy_timeout{5000};
  // Upper bound on ops per group-commit transaction: bounds the latency a
  // batch adds for its last op and the size of one transaction.
  std::size_t max_batch_ops = 1024;
  // Read connections kept open between calls (more are opened on demand).
  std::size_t max_idle_readers = 16;
  // WAL size, in 4 KiB pages, at which the background checkpointer copies
  // the log into the database file; at 8 times this the writer does it
  // itself (checkpointer.hpp).
  int checkpoint_pages = 1000;
};

class SqliteDb final : public Db {
 public:
  static constexpr const char* kFileName = "hushd.db";

  // Process-wide SQLite settings; call once, before anything opens a
  // database. Turns off SQLite's memory statistics, which take a global
  // mutex on every allocation and free (hushd reads none of them).
  static void configure_library() noexcept;

  // Opens (creating if needed) data_dir/hushd.db: the directory is created
  // 0700, the file (and -wal/-shm) set to 0600, WAL and synchronous=FULL
  // applied, missing migrations run, the writer thread started.
  // Errc::storage if the file is not a hushd database, its schema is newer
  // than this build (it is then left untouched), or SQLite fails;
  // Errc::bad_request for an empty path.
  static Result<std::unique_ptr<SqliteDb>> open(const std::filesystem::path& data_dir,
                                                const SqliteDbOptions& options = {});

  // Completes every write already submitted, then stops the writer thread.
  // Must not run on the writer thread (i.e. inside a completion callback).
  ~SqliteDb() override;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  Result<void> create_invite(const SecretHash& token_hash, std::uint64_t expires_ms) override;
  Result<bool> delete_account(const std::string& username) override;
  Result<AccountRecord> create_account(const std::string& username, ByteView identity_key,
                                       const DeviceRecord& first_device, const std::optional<SecretHash>& invite,
                                       std::uint64_t now_ms) override;
  Result<std::uint32_t> add_device(std::int64_t account_id, const DeviceRecord& device) override;
  Result<std::optional<AccountRecord>> find_account(const std::string& username) override;

  Result<void> set_signed_prekey(std::int64_t account_id, std::uint32_t device_id,
                                 const SignedPreKeyEntry& key) override;
  Result<void> add_prekeys(std::int64_t account_id, std::uint32_t device_id, const std::vector<PreKeyEntry>& keys,
                           std::uint32_t max_stored) override;
  Result<std::uint32_t> prekey_count(std::int64_t account_id, std::uint32_t device_id) override;
  Result<std::vector<DeviceBundle>> claim_bundles(std::int64_t account_id,
                                                  const std::vector<std::uint32_t>& device_ids) override;

  Result<EnqueueOutcome> enqueue(const std::vector<StoredEnvelope>& envelopes, const QueueLimits& limits) override;
  Result<std::vector<QueuedEnvelope>> fetch_queue(const std::string& username, std::uint32_t device_id,
                                                  std::uint64_t after_seq, std::size_t limit) override;
  Result<void> delete_envelopes(const std::string& username, std::uint32_t device_id,
                                const std::vector<EnvelopeId>& ids) override;
  Result<QueueDepth> queue_depth(const std::string& username, std::uint32_t device_id) override;

  // Non-blocking: `done` runs once the batch holding this write has
  // committed (or failed): on the completion executor if one is set, else on
  // the writer thread. See db.hpp for the rules.
  void enqueue_async(std::vector<StoredEnvelope> envelopes, QueueLimits limits, EnqueueDone done) override;
  void enqueue_shared_async(std::shared_ptr<const std::vector<StoredEnvelope>> envelopes, QueueLimits limits,
                            EnqueueDone done) override;
  void delete_envelopes_async(std::string username, std::uint32_t device_id, std::vector<EnvelopeId> ids,
                              WriteDone done) override;
  void claim_bundles_async(std::int64_t account_id, std::vector<std::uint32_t> device_ids, ClaimDone done) override;
  void set_completion_executor(std::function<void(std::function<void()>)> executor) override;

  // Commits the relaxed writes submitted so far (deletes on ack, which wait
  // up to a few milliseconds for a batch to share) and returns when they
  // are. fetch_queue and queue_depth call it first.
  Result<void> commit_relaxed();

  // Group-commit counters since open (for /metrics and tests).
  struct WriterCounters {
    std::uint64_t batches = 0;            // committed transactions (one WAL fsync each, but relaxed_batches)
    std::uint64_t ops = 0;                // write calls completed by them
    std::uint64_t failed_batches = 0;     // transactions that failed as a whole
    std::uint64_t checkpoints = 0;        // background WAL checkpoints completed
    std::uint64_t savepoint_retries = 0;  // batches run again with per-op savepoints
    std::uint64_t relaxed_batches = 0;    // of `batches`, committed without the fsync (relaxed deletes only)
  };
  WriterCounters writer_counters() const noexcept;

 private:
  static Result<std::unique_ptr<SqliteDb>> open_impl(const std::filesystem::path& data_dir,
                                                     const SqliteDbOptions& options);
  SqliteDb(std::unique_ptr<db_detail::ReaderPool> readers, std::unique_ptr<db_detail::Checkpointer> checkpointer,
           std::unique_ptr<db_detail::GroupCommitWriter> writer);

  // Runs `fn` on the writer and waits for its result. Errc::bad_request when
  // called on the writer thread itself, where waiting would deadlock.
  // `kind` as in writer.hpp (relaxed, urgent...); the default is a durable write.
  template <typename T, typename Fn>
  Result<T> write_and_wait(Fn fn, const db_detail::WriteOpKind& kind);
  template <typename T, typename Fn>
  Result<T> write_and_wait(Fn fn);

  // Destroyed bottom-up: the writer drains and closes its connection (whose
  // WAL hook points at the checkpointer) before the checkpointer stops.
  std::unique_ptr<db_detail::ReaderPool> readers_;
  std::unique_ptr<db_detail::Checkpointer> checkpointer_;
  std::unique_ptr<db_detail::GroupCommitWriter> writer_;
};

}  // namespace hush::server
