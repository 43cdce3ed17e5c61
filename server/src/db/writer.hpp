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
#pragma once

#include <atomic>
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

// One submitted write.
class WriteOp {
 public:
  virtual ~WriteOp() = default;
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
};

// A WriteOp from a function `Result<T>(WriterConnection&)` and a completion
// callback that receives the Result.
template <typename T, typename Fn>
class FnWriteOp final : public WriteOp {
 public:
  FnWriteOp(Fn fn, std::function<void(Result<T>)> done) : fn_(std::move(fn)), done_(std::move(done)) {}

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
};

class GroupCommitWriter {
 public:
  // max_batch_ops is clamped to [1, this]: one transaction of more ops
  // would only lengthen the wait of its first op.
  static constexpr std::size_t kMaxBatchOpsLimit = 65536;

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
  void submit(Fn fn, std::function<void(Result<T>)> done) noexcept {
    std::unique_ptr<WriteOp> op;
    try {
      op = std::make_unique<FnWriteOp<T, Fn>>(std::move(fn), std::move(done));
    } catch (...) {
      if (done) done(make_error(Errc::storage, "out of memory"));
      return;
    }
    submit(std::move(op));
  }

  // Stops taking ops; those already queued are still run and completed.
  // Idempotent; returns when the thread has finished them.
  void stop() noexcept;

  // True on the writer thread (inside a completion callback).
  bool on_writer_thread() const noexcept { return std::this_thread::get_id() == thread_id_.load(); }

  WriterStats stats() const noexcept;

 private:
  void run() noexcept;
  void run_batch(std::vector<std::unique_ptr<WriteOp>>& batch) noexcept;

  const std::size_t max_batch_ops_;
  std::unique_ptr<WriterConnection> conn_;  // writer thread only

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<WriteOp>> pending_;  // GUARDED_BY(mu_)
  bool stopping_ = false;                         // GUARDED_BY(mu_)
  bool writer_idle_ = false;                      // GUARDED_BY(mu_): waiting on wake_

  std::atomic<std::uint64_t> batches_{0};
  std::atomic<std::uint64_t> ops_{0};
  std::atomic<std::uint64_t> failed_batches_{0};
  std::atomic<std::uint64_t> savepoint_retries_{0};
  std::atomic<std::thread::id> thread_id_{};
  std::thread thread_;  // last: started after every member above exists
};

}  // namespace hush::server::db_detail
