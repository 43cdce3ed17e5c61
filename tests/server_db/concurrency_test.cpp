// Group commit under concurrency: claims never hand out a prekey twice, ops
// submitted together share one transaction, a failing op does not poison its
// batch, callbacks cannot deadlock the writer, and closing drains the queue.
#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "db_fixture.hpp"

namespace hush::server::test {
namespace {

using namespace std::chrono_literals;

using ConcurrencyTest = DbTest;

TEST_F(ConcurrencyTest, ConcurrentClaimsNeverHandOutAPrekeyTwice) {
  auto db = open_db();
  auto id = make_account(*db, "bob");
  ASSERT_EQ(*db->add_device(id, device_record(2, 2)), 2u);
  ASSERT_EQ(*db->add_device(id, device_record(3, 3)), 3u);
  constexpr std::uint32_t kPerDevice = 20;
  for (std::uint32_t d = 1; d <= 3; ++d) ASSERT_TRUE(db->add_prekeys(id, d, prekeys(d * 1000, kPerDevice), 100).ok());

  constexpr int kThreads = 16;
  constexpr int kClaimsEach = 6;
  std::mutex mu;
  std::map<std::uint32_t, std::vector<std::uint32_t>> handed_out;  // device -> key ids
  int empty_bundles = 0;
  int failures = 0;
  auto record = [&](const Result<std::vector<DeviceBundle>>& r) {
    std::lock_guard lock(mu);
    if (!r.ok() || r->size() != 3) {
      ++failures;
      return;
    }
    for (const auto& b : *r) {
      if (b.prekey) {
        handed_out[b.device_id].push_back(b.prekey->key_id);
      } else {
        ++empty_bundles;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kClaimsEach; ++i) {
        if ((t + i) % 2 == 0) {
          record(db->claim_bundles(id, {1, 2, 3}));
        } else {  // the async path competes too
          std::promise<Result<std::vector<DeviceBundle>>> p;
          db->claim_bundles_async(id, {1, 2, 3}, [&](Result<std::vector<DeviceBundle>> r) { p.set_value(std::move(r)); });
          record(p.get_future().get());
        }
      }
    });
  }
  for (auto& t : threads) t.join();

  EXPECT_EQ(failures, 0);
  for (std::uint32_t d = 1; d <= 3; ++d) {
    auto& ids = handed_out[d];
    std::set<std::uint32_t> unique(ids.begin(), ids.end());
    EXPECT_EQ(unique.size(), ids.size()) << "device " << d << ": a prekey was handed out twice";
    EXPECT_EQ(ids.size(), kPerDevice) << "device " << d;
    for (auto k : unique) EXPECT_TRUE(k >= d * 1000 && k < d * 1000 + kPerDevice) << k;
    EXPECT_EQ(*db->prekey_count(id, d), 0u);
  }
  EXPECT_EQ(empty_bundles, kThreads * kClaimsEach * 3 - 3 * static_cast<int>(kPerDevice));
}

TEST_F(ConcurrencyTest, WritesSubmittedTogetherShareOneTransaction) {
  auto db = open_db();
  auto before = db->writer_counters();
  std::atomic<int> done{0};
  std::atomic<int> failed{0};
  auto count = [&](Result<Db::EnqueueOutcome> r) {
    if (!r.ok() || r->queue_full) ++failed;
    ++done;
  };
  constexpr int kOps = 50;
  {
    WriteLockHolder lock(db_file());
    db->enqueue_async({make_envelope("bob", 1, envelope_id(1, 0))}, {}, count);
    std::this_thread::sleep_for(50ms);  // the writer takes it and blocks in BEGIN
    for (int i = 1; i < kOps; ++i)
      db->enqueue_async({make_envelope("bob", 1, envelope_id(1, static_cast<std::uint32_t>(i)))}, {}, count);
    std::this_thread::sleep_for(20ms);
  }
  while (done.load() < kOps) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(failed.load(), 0);
  auto after = db->writer_counters();
  EXPECT_EQ(after.ops - before.ops, static_cast<std::uint64_t>(kOps));
  // The first op alone (if the writer took it before the others came), then
  // everything else in a single transaction: one fsync for 49 writes.
  EXPECT_GE(after.batches - before.batches, 1u);
  EXPECT_LE(after.batches - before.batches, 2u);
  auto q = db->fetch_queue("bob", 1, 0, 1000);
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->size(), static_cast<std::size_t>(kOps));
  for (int i = 0; i < kOps; ++i) EXPECT_EQ((*q)[static_cast<std::size_t>(i)].envelope.id, envelope_id(1, static_cast<std::uint32_t>(i)));
}

TEST_F(ConcurrencyTest, AFailingOpRollsBackAloneInsideItsBatch) {
  auto db = open_db();
  auto acct = make_account(*db, "carol");
  ASSERT_TRUE(db->enqueue({make_envelope("bob", 1, envelope_id(2, 0))}, {}).ok());
  QueueLimits tight{2, 1 << 20};
  auto before = db->writer_counters();

  std::promise<Result<Db::EnqueueOutcome>> ok_send, full_send, dup_send, last_send;
  std::promise<Result<void>> ok_delete;
  std::promise<Result<std::vector<DeviceBundle>>> claim;
  {
    WriteLockHolder lock(db_file());
    auto set = [](auto& p) { return [&p](auto r) { p.set_value(std::move(r)); }; };
    db->enqueue_async({make_envelope("bob", 1, envelope_id(2, 1))}, tight, set(ok_send));
    // bob.1 now holds 2 of 2 inside this batch: the next send is full.
    db->enqueue_async({make_envelope("dan", 1, envelope_id(2, 2)), make_envelope("bob", 1, envelope_id(2, 3))}, tight,
                      set(full_send));
    // Inserts dan.1 first, then fails on the duplicate: dan.1 must vanish.
    db->enqueue_async({make_envelope("dan", 1, envelope_id(2, 4)), make_envelope("dan", 2, envelope_id(2, 0))}, {},
                      set(dup_send));
    db->delete_envelopes_async("bob", 1, {envelope_id(2, 0)}, set(ok_delete));
    db->claim_bundles_async(acct, {1}, set(claim));
    db->enqueue_async({make_envelope("dan", 3, envelope_id(2, 5))}, {}, set(last_send));
    std::this_thread::sleep_for(30ms);
  }
  auto ok = ok_send.get_future().get();
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok->queue_full);
  auto full = full_send.get_future().get();
  ASSERT_TRUE(full.ok());
  EXPECT_TRUE(full->queue_full);
  EXPECT_EQ(full->full_user, "bob");
  auto dup = dup_send.get_future().get();
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(db_error(dup.error()), DbError::duplicate_envelope);
  EXPECT_TRUE(ok_delete.get_future().get().ok());
  EXPECT_TRUE(claim.get_future().get().ok());
  EXPECT_TRUE(last_send.get_future().get().ok());

  auto after = db->writer_counters();
  EXPECT_LE(after.batches - before.batches, 2u);
  EXPECT_EQ(after.failed_batches, before.failed_batches);
  // The duplicate failed after its first insert: its batch ran again with savepoints.
  EXPECT_GE(after.savepoint_retries - before.savepoint_retries, 1u);
  auto bob = db->fetch_queue("bob", 1, 0, 10);
  ASSERT_EQ(bob->size(), 1u);
  EXPECT_EQ((*bob)[0].envelope.id, envelope_id(2, 1));
  EXPECT_TRUE(db->fetch_queue("dan", 1, 0, 10)->empty());
  EXPECT_TRUE(db->fetch_queue("dan", 2, 0, 10)->empty());
  EXPECT_EQ(db->fetch_queue("dan", 3, 0, 10)->size(), 1u);
  db.reset();
  expect_depth_counters_exact(db_file());
}

TEST_F(ConcurrencyTest, BlockingWriteFromACompletionCallbackFailsInsteadOfDeadlocking) {
  auto db = open_db();
  std::promise<Error> inner;
  std::promise<Result<void>> chained;
  db->enqueue_async({make_envelope("bob", 1, envelope_id(3, 0))}, {}, [&](Result<Db::EnqueueOutcome>) {
    auto r = db->enqueue({make_envelope("bob", 1, envelope_id(3, 1))}, {});
    inner.set_value(r.ok() ? make_error(Errc::storage, "unexpected success") : r.error());
    // The async path is fine from here.
    db->delete_envelopes_async("bob", 1, {envelope_id(3, 0)}, [&](Result<void> d) { chained.set_value(std::move(d)); });
  });
  auto e = inner.get_future().get();
  EXPECT_EQ(e.code, Errc::bad_request);
  EXPECT_NE(e.message.find("writer thread"), std::string::npos) << e.message;
  EXPECT_TRUE(chained.get_future().get().ok());
  EXPECT_TRUE(db->fetch_queue("bob", 1, 0, 10)->empty());
}

TEST_F(ConcurrencyTest, ClosingCompletesEverySubmittedWrite) {
  constexpr int kOps = 300;
  std::atomic<int> ok{0};
  {
    auto db = open_db();
    for (int i = 0; i < kOps; ++i)
      db->enqueue_async({make_envelope("bob", 1, envelope_id(4, static_cast<std::uint32_t>(i)))}, {},
                        [&](Result<Db::EnqueueOutcome> r) {
                          if (r.ok() && !r->queue_full) ++ok;
                        });
  }  // the destructor drains the writer
  EXPECT_EQ(ok.load(), kOps);
  auto db = open_db();
  EXPECT_EQ(db->queue_depth("bob", 1)->envelopes, static_cast<std::uint64_t>(kOps));
}

TEST_F(ConcurrencyTest, ReadsDoNotWaitForTheWriteLock) {
  auto db = open_db();
  ASSERT_TRUE(db->enqueue({make_envelope("bob", 1, envelope_id(5, 0))}, {}).ok());
  RawDb raw(db_file());
  raw.exec("BEGIN IMMEDIATE");
  raw.exec("DELETE FROM queue");  // uncommitted: invisible to readers
  auto start = std::chrono::steady_clock::now();
  auto q = db->fetch_queue("bob", 1, 0, 10);
  auto d = db->queue_depth("bob", 1);
  auto a = db->find_account("nobody");
  auto elapsed = std::chrono::steady_clock::now() - start;
  raw.exec("ROLLBACK");
  ASSERT_TRUE(q.ok() && d.ok() && a.ok());
  EXPECT_EQ(q->size(), 1u);
  EXPECT_LT(elapsed, 1s);  // far below the 5 s busy timeout
}

TEST_F(ConcurrencyTest, CheckpointsRunOffTheWriterThread) {
  SqliteDbOptions options;
  options.checkpoint_pages = 8;  // a few batches' worth
  auto db = open_db(options);
  for (std::uint32_t i = 0; i < 100; ++i)
    ASSERT_TRUE(db->enqueue({make_envelope("bob", 1, envelope_id(6, i), 4000)}, {}).ok());
  // The pages reach the database file itself (not only the WAL) while the
  // Db is open: only a checkpoint writes there.
  auto copied = [&] { return std::filesystem::file_size(db_file()) > 200'000; };
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!copied() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(copied()) << std::filesystem::file_size(db_file());
  EXPECT_GT(db->writer_counters().checkpoints, 0u);
  EXPECT_EQ(db->queue_depth("bob", 1)->envelopes, 100u);
  db.reset();
  RawDb raw(db_file());
  EXPECT_EQ(raw.query_text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(raw.query_int("SELECT count(*) FROM queue"), 100);
}

TEST_F(ConcurrencyTest, ManySubmittersEachSeeTheirOwnWritesAndCountersStayExact) {
  auto db = open_db();
  constexpr int kThreads = 12;
  constexpr int kRounds = 40;
  std::atomic<int> problems{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string user = "user" + std::to_string(t % 4);  // shared queues
      auto device = static_cast<std::uint32_t>(t);
      for (int i = 0; i < kRounds; ++i) {
        auto id = envelope_id(100 + static_cast<std::uint64_t>(t), static_cast<std::uint32_t>(i));
        auto r = db->enqueue({make_envelope(user, device, id, 50 + static_cast<std::size_t>(i))}, {});
        if (!r.ok() || r->queue_full) ++problems;
        // Acknowledged, so visible to any read connection now.
        auto q = db->fetch_queue(user, device, 0, 1000);
        if (!q.ok() || q->empty() || q->back().envelope.id != id) ++problems;
        if (i % 3 == 0 && !db->delete_envelopes(user, device, {id}).ok()) ++problems;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(problems.load(), 0);
  auto counters = db->writer_counters();
  EXPECT_EQ(counters.failed_batches, 0u);
  EXPECT_LT(counters.batches, counters.ops);  // group commit happened
  db.reset();
  expect_depth_counters_exact(db_file());
}

}  // namespace
}  // namespace hush::server::test
