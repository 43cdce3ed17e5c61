// The relay's deletes on ack are relaxed writes (writer.hpp): they ride
// along with the next durable batch, or commit on their own without the
// fsync after a short delay; reads of the queue never see them pending.
// And the async calls' completions go to the completion executor, one
// call per batch, while blocking callers are still answered on the writer.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "db_fixture.hpp"

namespace hush::server::test {
namespace {

using namespace std::chrono_literals;

using RelaxedCommitTest = DbTest;

std::vector<EnvelopeId> enqueue_some(SqliteDb& db, std::uint64_t tag, std::uint32_t n) {
  std::vector<EnvelopeId> ids;
  for (std::uint32_t i = 0; i < n; ++i) {
    ids.push_back(envelope_id(tag, i));
    EXPECT_TRUE(db.enqueue({make_envelope("bob", 1, ids.back())}, {}).ok());
  }
  return ids;
}

TEST_F(RelaxedCommitTest, ADeleteAloneCommitsWithoutAnFsyncOfItsOwn) {
  auto db = open_db();
  auto ids = enqueue_some(*db, 1, 3);
  const auto before = db->writer_counters();
  std::promise<Result<void>> done;
  db->delete_envelopes_async("bob", 1, {ids[0]}, [&](Result<void> r) { done.set_value(std::move(r)); });
  auto future = done.get_future();
  // Nothing else is coming: it commits on its own after its short delay.
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(future.get().ok());
  const auto after = db->writer_counters();
  EXPECT_EQ(after.batches, before.batches + 1);
  EXPECT_EQ(after.relaxed_batches, before.relaxed_batches + 1);
  EXPECT_EQ(db->queue_depth("bob", 1)->envelopes, 2u);
  expect_depth_counters_exact(db_file());
}

TEST_F(RelaxedCommitTest, ADurableWriteCarriesPendingDeletes) {
  auto db = open_db();
  auto ids = enqueue_some(*db, 2, 3);
  const auto before = db->writer_counters();
  std::atomic<int> completed{0};
  {
    WriteLockHolder lock(db_file());
    db->enqueue_async({make_envelope("bob", 1, envelope_id(2, 100))}, {},
                      [&](Result<Db::EnqueueOutcome> r) { completed += r.ok() ? 1 : 100; });
    db->delete_envelopes_async("bob", 1, {ids[0], ids[1]}, [&](Result<void> r) { completed += r.ok() ? 1 : 100; });
    db->enqueue_async({make_envelope("bob", 1, envelope_id(2, 101))}, {},
                      [&](Result<Db::EnqueueOutcome> r) { completed += r.ok() ? 1 : 100; });
  }
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (completed.load() < 3 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(completed.load(), 3);
  const auto after = db->writer_counters();
  // The delete shared a batch with a durable op, so no batch went without the fsync.
  EXPECT_EQ(after.relaxed_batches, before.relaxed_batches);
  EXPECT_LE(after.batches, before.batches + 2);
  EXPECT_EQ(db->queue_depth("bob", 1)->envelopes, 3u);
  expect_depth_counters_exact(db_file());
}

TEST_F(RelaxedCommitTest, QueueReadsSeeDeletesStillWaitingForABatch) {
  auto db = open_db();
  auto ids = enqueue_some(*db, 3, 5);
  std::atomic<bool> acked{false};
  db->delete_envelopes_async("bob", 1, ids, [&](Result<void> r) { acked = r.ok(); });
  // At once, well within the delete's delay: the reads commit it first.
  auto queue = db->fetch_queue("bob", 1, 0, 10);
  ASSERT_TRUE(queue.ok());
  EXPECT_TRUE(queue->empty()) << queue->size() << " deleted envelopes read back";
  EXPECT_EQ(db->queue_depth("bob", 1)->envelopes, 0u);
  EXPECT_TRUE(acked.load());
  EXPECT_EQ(db->commit_relaxed().ok(), true);  // nothing pending: returns at once
}

TEST_F(RelaxedCommitTest, RelaxedDeletesSurviveClosingTheDb) {
  std::vector<EnvelopeId> ids;
  {
    auto db = open_db();
    ids = enqueue_some(*db, 4, 4);
    db->delete_envelopes_async("bob", 1, {ids[1], ids[2]}, [](Result<void>) {});
  }  // closing drains the writer, relaxed ops included
  auto db = open_db();
  auto queue = db->fetch_queue("bob", 1, 0, 10);
  ASSERT_TRUE(queue.ok());
  ASSERT_EQ(queue->size(), 2u);
  EXPECT_EQ((*queue)[0].envelope.id, ids[0]);
  EXPECT_EQ((*queue)[1].envelope.id, ids[3]);
  expect_depth_counters_exact(db_file());
}

// A stand-in for the server's I/O thread: collects what the writer hands
// over and runs it when asked.
class ManualExecutor {
 public:
  void post(std::function<void()> f) {
    std::lock_guard lock(mu_);
    posted_.push_back(std::move(f));
    ++calls_;
    cv_.notify_all();
  }
  bool wait_for_calls(int n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return calls_ >= n; });
  }
  void run_all() {
    std::deque<std::function<void()>> run;
    {
      std::lock_guard lock(mu_);
      run.swap(posted_);
    }
    for (auto& f : run) f();
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> posted_;
  int calls_ = 0;
};

TEST_F(RelaxedCommitTest, CompletionsOfABatchReachTheExecutorInOneCall) {
  auto db = open_db();
  ManualExecutor executor;
  db->set_completion_executor([&](std::function<void()> f) { executor.post(std::move(f)); });
  constexpr int kOps = 10;
  std::vector<int> order;  // touched by the completions only, which run on this thread
  const auto before = db->writer_counters().batches;
  {
    WriteLockHolder lock(db_file());
    // The first may be taken alone before the rest queue up; the writer
    // then blocks on the lock and the other nine wait for one batch.
    for (int i = 0; i < kOps; ++i)
      db->enqueue_async({make_envelope("bob", 1, envelope_id(5, static_cast<std::uint32_t>(i)))}, {},
                        [&, i](Result<Db::EnqueueOutcome> r) { order.push_back(r.ok() ? i : -1); });
    std::this_thread::sleep_for(50ms);
  }
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (db->queue_depth("bob", 1)->envelopes < kOps && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  const auto batches = static_cast<int>(db->writer_counters().batches - before);
  EXPECT_LE(batches, 2);
  // One executor call per batch, however many completions it holds.
  ASSERT_TRUE(executor.wait_for_calls(batches, 10s));
  EXPECT_EQ(executor.calls(), batches);
  EXPECT_TRUE(order.empty()) << "a completion ran on the writer thread";

  // A blocking caller is answered by the writer itself, even while nothing
  // runs what was handed to the executor.
  auto invite = db->create_invite(SecretHash{}, 123);
  EXPECT_TRUE(invite.ok());

  executor.run_all();
  ASSERT_EQ(order.size(), static_cast<std::size_t>(kOps));
  for (int i = 0; i < kOps; ++i) EXPECT_EQ(order[static_cast<std::size_t>(i)], i) << "completions out of order";

  // Without an executor they run on the writer thread again.
  db->set_completion_executor({});
  std::promise<bool> inline_done;
  db->enqueue_async({make_envelope("bob", 1, envelope_id(5, 99))}, {},
                    [&](Result<Db::EnqueueOutcome> r) { inline_done.set_value(r.ok()); });
  auto f = inline_done.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(f.get());
}

}  // namespace
}  // namespace hush::server::test
