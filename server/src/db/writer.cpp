#include "writer.hpp"

#include <algorithm>
#include <iterator>

namespace hush::server::db_detail {

GroupCommitWriter::GroupCommitWriter(std::unique_ptr<WriterConnection> connection, std::size_t max_batch_ops)
    : max_batch_ops_(std::clamp<std::size_t>(max_batch_ops, 1, kMaxBatchOpsLimit)),
      conn_(std::move(connection)),
      thread_([this] { run(); }) {}

GroupCommitWriter::~GroupCommitWriter() {
  stop();
}

void GroupCommitWriter::submit(std::unique_ptr<WriteOp> op) noexcept {
  const WriteOpKind kind = op->kind();
  const bool due = !kind.relaxed || kind.urgent;
  bool notify = false;
  bool closed = false;
  try {
    std::lock_guard lock(mu_);
    if (stopping_) {
      closed = true;
    } else {
      pending_.push_back(std::move(op));
      if (due) ++pending_due_;
      if (kind.relaxed) relaxed_uncommitted_.fetch_add(1, std::memory_order_relaxed);
      // Only a sleeping writer needs a wake-up; a busy one takes the op with
      // its next batch. Saves a futex call per op under load. A relaxed op
      // wakes it only to start its kRelaxedDelay wait, or when enough of
      // them have gathered.
      notify = waiting_ == Waiting::any || (waiting_ == Waiting::due && (due || batch_due()));
    }
  } catch (...) {  // deque growth failed; `op` is still ours
    op->fail(make_error(Errc::storage, "out of memory"));
    return;
  }
  if (closed) {
    op->fail(make_error(Errc::storage, "database is closed"));
    return;
  }
  if (notify) wake_.notify_one();
}

void GroupCommitWriter::set_completion_executor(CompletionExecutor executor) noexcept {
  std::lock_guard lock(mu_);
  executor_ = std::move(executor);
}

bool GroupCommitWriter::batch_due() const noexcept {
  return pending_due_ > 0 || stopping_ || pending_.size() >= kRelaxedBatch;
}

void GroupCommitWriter::stop() noexcept {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  // From a completion callback (on the writer thread) we can only ask.
  if (thread_.joinable() && !on_writer_thread()) thread_.join();
}

WriterStats GroupCommitWriter::stats() const noexcept {
  return WriterStats{batches_.load(), ops_.load(), failed_batches_.load(), savepoint_retries_.load(),
                     relaxed_batches_.load()};
}

void GroupCommitWriter::run() noexcept {
  thread_id_.store(std::this_thread::get_id());
  std::vector<std::unique_ptr<WriteOp>> batch;
  batch.reserve(max_batch_ops_);  // so taking a batch below never allocates
  for (;;) {
    bool durable = false;
    std::size_t relaxed = 0;
    CompletionExecutor executor;
    {
      std::unique_lock lock(mu_);
      // waiting_ matters only while the lock is released inside a wait.
      while (!batch_due()) {
        if (pending_.empty()) {
          waiting_ = Waiting::any;
          wake_.wait(lock);
        } else {
          // Relaxed ops only: give a durable op the chance to carry them.
          waiting_ = Waiting::due;
          const bool timed_out = wake_.wait_for(lock, kRelaxedDelay) == std::cv_status::timeout;
          if (timed_out && !pending_.empty()) break;
        }
      }
      waiting_ = Waiting::no;
      if (pending_.empty()) {  // stopping, and everything queued is done
        // The connection's close may checkpoint: with FULL, as always.
        if (relaxed_sync_) (void)StatementUse(conn_->sync_full).run();
        return;
      }
      // Everything that queued up during the previous batch's fsync goes
      // into this one: that is the group in group commit.
      auto n = std::min(pending_.size(), max_batch_ops_);
      auto end = pending_.begin() + static_cast<std::ptrdiff_t>(n);
      std::move(pending_.begin(), end, std::back_inserter(batch));
      pending_.erase(pending_.begin(), end);
      for (const auto& op : batch) {
        if (op->kind().relaxed) {
          ++relaxed;
        } else {
          durable = true;
        }
        if (!op->kind().relaxed || op->kind().urgent) --pending_due_;
      }
      executor = executor_;
    }
    run_batch(batch, durable, executor);
    batch.clear();
    relaxed_uncommitted_.fetch_sub(relaxed, std::memory_order_release);
  }
}

void GroupCommitWriter::complete_all(std::vector<std::unique_ptr<WriteOp>>& batch,
                                     const CompletionExecutor& executor) noexcept {
  std::shared_ptr<std::vector<std::unique_ptr<WriteOp>>> deferred;
  for (auto& op : batch) {
    if (executor && op->kind().deferred) {
      try {
        if (!deferred) deferred = std::make_shared<std::vector<std::unique_ptr<WriteOp>>>();
        deferred->push_back(std::move(op));
        continue;
      } catch (...) {  // NOLINT(bugprone-empty-catch): out of memory: complete it here instead
      }
    }
    op->complete();
  }
  if (!deferred) return;
  try {
    executor([deferred] {
      for (auto& op : *deferred) op->complete();
    });
  } catch (...) {  // the executor could not take it: complete them here, in order
    for (auto& op : *deferred) {
      if (op) op->complete();
    }
  }
}

void GroupCommitWriter::run_batch(std::vector<std::unique_ptr<WriteOp>>& batch, bool durable,
                                  const CompletionExecutor& executor) noexcept {
  WriterConnection& w = *conn_;
  // Nothing of the batch is committed: every op fails with the same error.
  auto fail_all = [&](const Error& error) {
    w.db.rollback();
    failed_batches_.fetch_add(1, std::memory_order_relaxed);
    for (auto& op : batch) op->fail(error);
  };

  // First without savepoints (about 1 µs per op): almost every op either
  // succeeds or fails before writing anything (a full queue, a bad invite).
  // Each SQL statement is atomic by itself, so an op that failed while
  // sqlite3_total_changes64 stayed put left nothing behind. Only an op that
  // failed after a write of its own (a duplicate envelope id half-way
  // through a send) needs its savepoint: then the whole batch is rolled
  // back and applied again, each op inside its own savepoint.
  // Relaxed ops alone commit without the fsync (synchronous=NORMAL: the WAL
  // is written but not synced); any durable op makes it a full commit,
  // whose fsync also covers every relaxed commit before it. The setting
  // stays until a batch needs the other one; a durable batch never runs
  // unless FULL was set successfully.
  if (durable == relaxed_sync_) {
    if (auto r = StatementUse(durable ? w.sync_full : w.sync_normal).run(); !r) {
      failed_batches_.fetch_add(1, std::memory_order_relaxed);
      for (auto& op : batch) op->fail(r.error());
      return;
    }
    relaxed_sync_ = !durable;
  }

  for (const bool savepoints : {false, true}) {
    if (auto r = StatementUse(w.begin).run(); !r) return fail_all(r.error());
    bool retry_with_savepoints = false;
    for (auto& op : batch) {
      if (savepoints) {
        if (auto r = StatementUse(w.savepoint).run(); !r) return fail_all(r.error());
      }
      const sqlite3_int64 changes_before = sqlite3_total_changes64(w.db.get());
      const Error* op_error = op->apply(w);
      // After an I/O error, disk full or out of memory SQLite may have rolled
      // back the whole transaction by itself: the earlier ops' writes are gone
      // too, so none of the batch may be acknowledged.
      if (!w.db.in_transaction()) {
        Error copy = op_error != nullptr ? *op_error : make_error(Errc::storage, "write batch rolled back");
        copy.code = Errc::storage;
        return fail_all(copy);
      }
      if (!savepoints) {
        if (op_error != nullptr && sqlite3_total_changes64(w.db.get()) != changes_before) {
          retry_with_savepoints = true;
          break;
        }
        continue;
      }
      if (op_error != nullptr) {
        if (auto r = StatementUse(w.rollback_to).run(); !r) return fail_all(r.error());
      }
      if (auto r = StatementUse(w.release).run(); !r) return fail_all(r.error());
    }
    if (retry_with_savepoints) {
      w.db.rollback();
      savepoint_retries_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    // synchronous=FULL in WAL mode: COMMIT returns after the WAL (with this
    // batch's commit frame) is fsynced. Only now may anyone see a result.
    if (auto r = StatementUse(w.commit).run(); !r) return fail_all(r.error());
    batches_.fetch_add(1, std::memory_order_relaxed);
    if (!durable) relaxed_batches_.fetch_add(1, std::memory_order_relaxed);
    ops_.fetch_add(batch.size(), std::memory_order_relaxed);
    complete_all(batch, executor);
    return;
  }
}

}  // namespace hush::server::db_detail
