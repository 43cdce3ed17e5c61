// Group commit. Every write goes to one thread that owns the only write
// connection. It takes all pending ops at once (up to max_batch_ops), runs
// them in ONE transaction, commits (one WAL fsync for the whole batch), and
// only then completes every op in the batch.
//
// - A failed op (bad input, queue full, constraint) leaves no trace: the
//   other ops of the batch are unaffected. Ops run without savepoints; when
//   one fails after having written rows, the batch is rolled back and run
//   again with one SAVEPOINT per op (rolled back alone when its op fails).
// - If the batch as a whole fails (BEGIN, COMMIT or an I/O error after which
//   SQLite rolled the transaction back), every op of the batch fails with
//   Errc::storage: nothing of it was committed, so nothing is acknowledged.
// - Ops complete only after COMMIT has returned, so an op's result (a
//   claimed prekey, an enqueue ack) is never seen before it is durable.
// - Ops are applied in submission order; ops submitted by one thread keep
//   their order.
// - Relaxed ops (WriteOpKind::relaxed: the relay's deletes on ack) are
//   committed without the WAL fsync when a batch holds nothing else, and do
//   not start a batch of their own at once: the writer waits up to
//   kRelaxedDelay for a durable op to carry them, or for kRelaxedBatch of
//   them. Their commit survives a crash of hushd (the WAL is written); only
//   the machine losing power before the next fsync can undo it, and an
//   undone delete is a redelivery that clients dedupe. Durable ops never
//   wait for them.
// - Completions of ops submitted with deferred completion (the async Db
//   calls) go to the completion executor, if one is set: one call per batch,
//   which runs them all in order. The server hands them to its I/O thread in
//   one wake-up instead of one cross-thread post per op. Blocking callers'
//   ops always complete on the writer thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "statements.hpp"

namespace hush::server::db_detail {

// How an op is committed and completed (see the header comment).
struct WriteOpKind {
  bool relaxed = false;   // may commit without the WAL fsync
  bool urgent = false;    // run now, even if only relaxed ops are pending (a barrier)
  bool deferred = false;  // complete() may run on the completion executor
};

// One submitted write.
class WriteOp {
 public:
  explicit WriteOp(WriteOpKind kind = {}) noexcept : kind_(kind) {}
  virtual ~WriteOp() = default;
  const WriteOpKind& kind() const noexcept { return kind_; }

  // Runs on the writer thread inside the batch transaction (and the op's
  // savepoint, when the batch runs with them). Returns nullptr when the op's
  // writes are to be kept, or its error (its writes are then undone). May run
  // twice, when the batch is run again with savepoints: it must not change
  // anything but the database before complete().
  virtual const Error* apply(WriterConnection& w) = 0;
  // Exactly one of these is called, once, after the batch ended: complete()
  // when it committed (delivers apply()'s result), fail() when it did not.
  virtual void complete() noexcept = 0;
  virtual void fail(const Error& error) noexcept = 0;

 private:
  WriteOpKind kind_;
};

// A WriteOp from a function `Result<T>(WriterConnection&)` and a completion
// callback that receives the Result.
template <typename T, typename Fn>
class FnWriteOp final : public WriteOp {
 public:
  FnWriteOp(Fn fn, std::function<void(Result<T>)> done, WriteOpKind kind = {})
      : WriteOp(kind), fn_(std::move(fn)), done_(std::move(done)) {}

  const Error* apply(WriterConnection& w) override {
    try {
      result_.emplace(fn_(w));
    } catch (...) {  // allocation failure: no exception leaves the writer
      result_.emplace(make_error(Errc::storage, "out of memory"));
    }
    return result_->ok() ? nullptr : &result_->error();
  }
  void complete() noexcept override { deliver(std::move(*result_)); }
  void fail(const Error& error) noexcept override { deliver(Result<T>(error)); }

 private:
  // A throwing callback must not take the writer thread down; the contract
  // (db.hpp) forbids it, and here it is contained.
  void deliver(Result<T> r) noexcept {
    try {
      done_(std::move(r));
    } catch (...) {  // NOLINT(bugprone-empty-catch)
    }
  }

  Fn fn_;
  std::function<void(Result<T>)> done_;
  std::optional<Result<T>> result_;
};

struct WriterStats {
  std::uint64_t batches = 0;  // committed batches (= WAL fsyncs for writes)
  std::uint64_t ops = 0;      // ops completed in committed batches
  std::uint64_t failed_batches = 0;
  std::uint64_t savepoint_retries = 0;  // batches run again with savepoints
  std::uint64_t relaxed_batches = 0;    // committed without the WAL fsync (relaxed ops only)
};

// Runs a closure on another thread (the server: posts it to the I/O
// context). Called once per batch on the writer thread; must not block.
using CompletionExecutor = std::function<void(std::function<void()>)>;

class GroupCommitWriter {
 public:
  // max_batch_ops is clamped to [1, this]: one transaction of more ops
  // would only lengthen the wait of its first op.
  static constexpr std::size_t kMaxBatchOpsLimit = 65536;
  // How long relaxed ops wait for a durable op to share a batch with, and
  // how many of them start a batch anyway.
  static constexpr std::chrono::milliseconds kRelaxedDelay{5};
  static constexpr std::size_t kRelaxedBatch = 256;

  // Takes the (migrated, prepared) write connection and starts the thread.
  GroupCommitWriter(std::unique_ptr<WriterConnection> connection, std::size_t max_batch_ops);
  // stop(), then join.
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Queues an op; never waits for I/O. Thread-safe. After stop() the op fails
  // at once (on the calling thread) with Errc::storage "database is closed".
  void submit(std::unique_ptr<WriteOp> op) noexcept;

  template <typename T, typename Fn>
  void submit(Fn fn, std::function<void(Result<T>)> done, WriteOpKind kind = {}) noexcept {
    std::unique_ptr<WriteOp> op;
    try {
      op = std::make_unique<FnWriteOp<T, Fn>>(std::move(fn), std::move(done), kind);
    } catch (...) {
      if (done) done(make_error(Errc::storage, "out of memory"));
      return;
    }
    submit(std::move(op));
  }

  // Where deferred completions run from now on; an empty executor (the
  // default) completes them on the writer thread. Thread-safe; set it
  // before traffic and clear it before the executor's thread goes away.
  void set_completion_executor(CompletionExecutor executor) noexcept;

  // Relaxed ops submitted and not yet committed (or failed).
  std::uint64_t relaxed_uncommitted() const noexcept { return relaxed_uncommitted_.load(std::memory_order_acquire); }

  // Stops taking ops; those already queued are still run and completed.
  // Idempotent; returns when the thread has finished them.
  void stop() noexcept;

  // True on the writer thread (inside a completion callback).
  bool on_writer_thread() const noexcept { return std::this_thread::get_id() == thread_id_.load(); }

  WriterStats stats() const noexcept;

 private:
  void run() noexcept;
  void run_batch(std::vector<std::unique_ptr<WriteOp>>& batch, bool durable,
                 const CompletionExecutor& executor) noexcept;
  void complete_all(std::vector<std::unique_ptr<WriteOp>>& batch, const CompletionExecutor& executor) noexcept;
  // Under mu_: a batch should start now.
  bool batch_due() const noexcept;

  const std::size_t max_batch_ops_;
  std::unique_ptr<WriterConnection> conn_;  // writer thread only
  bool relaxed_sync_ = false;               // writer thread only: conn_ is at synchronous=NORMAL

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<WriteOp>> pending_;  // GUARDED_BY(mu_)
  std::size_t pending_due_ = 0;                   // GUARDED_BY(mu_): durable or urgent ops in pending_
  bool stopping_ = false;                         // GUARDED_BY(mu_)
  // GUARDED_BY(mu_): what the writer waits for. A relaxed op wakes it only
  // from `any` (it then waits kRelaxedDelay); a durable one from either.
  enum class Waiting { no, any, due } waiting_ = Waiting::no;
  CompletionExecutor executor_;  // GUARDED_BY(mu_)

  std::atomic<std::uint64_t> batches_{0};
  std::atomic<std::uint64_t> ops_{0};
  std::atomic<std::uint64_t> failed_batches_{0};
  std::atomic<std::uint64_t> savepoint_retries_{0};
  std::atomic<std::uint64_t> relaxed_batches_{0};
  std::atomic<std::uint64_t> relaxed_uncommitted_{0};
  std::atomic<std::thread::id> thread_id_{};
  std::thread thread_;  // last: started after every member above exists
};

}  // namespace hush::server::db_detail
