// The relay half of SqliteDb: enqueue (all or none, per-device limits),
// fetch order and paging, delete on ack, depth counters, async variants.
#include <future>

#include "db_fixture.hpp"

namespace hush::server::test {
namespace {

class QueueTest : public DbTest {
 protected:
  void SetUp() override {
    DbTest::SetUp();
    db_ = open_db();
    ASSERT_TRUE(db_);
  }

  std::vector<Db::QueuedEnvelope> fetch(const std::string& user, std::uint32_t device, std::uint64_t after = 0,
                                        std::size_t limit = 1000) {
    auto r = db_->fetch_queue(user, device, after, limit);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : describe(r.error()));
    return r.ok() ? std::move(r).value() : std::vector<Db::QueuedEnvelope>{};
  }
  QueueDepth depth(const std::string& user, std::uint32_t device) {
    auto r = db_->queue_depth(user, device);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : QueueDepth{};
  }

  std::unique_ptr<SqliteDb> db_;
};

TEST_F(QueueTest, EnqueuedEnvelopesComeBackExactlyInOrder) {
  std::vector<StoredEnvelope> batch;
  for (std::uint32_t i = 0; i < 5; ++i) batch.push_back(make_envelope("bob", 1, envelope_id(1, i), 10 + i));
  auto r = db_->enqueue(batch, {});
  ASSERT_TRUE(r.ok()) << describe(r.error());
  EXPECT_FALSE(r->queue_full);
  ASSERT_TRUE(db_->enqueue({make_envelope("bob", 1, envelope_id(2), 7)}, {}).ok());

  auto got = fetch("bob", 1);
  ASSERT_EQ(got.size(), 6u);
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (i > 0) {
      EXPECT_GT(got[i].seq, got[i - 1].seq);
    }
    const auto& expected = i < 5 ? batch[i] : make_envelope("bob", 1, envelope_id(2), 7);
    const auto& e = got[i].envelope;
    EXPECT_EQ(e.id, expected.id);
    EXPECT_EQ(e.type, expected.type);
    EXPECT_EQ(e.source_user, expected.source_user);
    EXPECT_EQ(e.source_device, expected.source_device);
    EXPECT_EQ(e.destination_user, "bob");
    EXPECT_EQ(e.destination_device, 1u);
    EXPECT_EQ(e.client_timestamp, expected.client_timestamp);
    EXPECT_EQ(e.server_timestamp, expected.server_timestamp);
    EXPECT_EQ(e.content, expected.content);
  }
  EXPECT_TRUE(fetch("bob", 2).empty());
  EXPECT_TRUE(fetch("bobby", 1).empty());
}

TEST_F(QueueTest, FullRangeTimestampsAndEmptyContentRoundTrip) {
  auto e = make_envelope("bob", 4294967295u, envelope_id(3), 0);
  e.client_timestamp = ~0ull;
  e.server_timestamp = 1ull << 63;
  e.type = 4294967295u;
  ASSERT_TRUE(db_->enqueue({e}, {}).ok());
  auto got = fetch("bob", 4294967295u);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].envelope.client_timestamp, ~0ull);
  EXPECT_EQ(got[0].envelope.server_timestamp, 1ull << 63);
  EXPECT_EQ(got[0].envelope.type, 4294967295u);
  EXPECT_TRUE(got[0].envelope.content.empty());
}

TEST_F(QueueTest, PagingWithAfterSeqVisitsEveryEnvelopeOnce) {
  for (std::uint32_t i = 0; i < 25; ++i)
    ASSERT_TRUE(db_->enqueue({make_envelope("bob", 1, envelope_id(4, i))}, {}).ok());
  std::vector<EnvelopeId> seen;
  std::uint64_t after = 0;
  for (;;) {
    auto page = fetch("bob", 1, after, 10);
    if (page.empty()) break;
    EXPECT_LE(page.size(), 10u);
    for (const auto& q : page) seen.push_back(q.envelope.id);
    after = page.back().seq;
  }
  ASSERT_EQ(seen.size(), 25u);
  for (std::uint32_t i = 0; i < 25; ++i) EXPECT_EQ(seen[i], envelope_id(4, i));
  EXPECT_TRUE(fetch("bob", 1, 0, 0).empty());
  EXPECT_TRUE(fetch("bob", 1, ~0ull, 10).empty());
}

TEST_F(QueueTest, SequenceNumbersAreNeverReusedAfterTheQueueEmpties) {
  ASSERT_TRUE(db_->enqueue({make_envelope("bob", 1, envelope_id(5, 0))}, {}).ok());
  auto first = fetch("bob", 1);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_TRUE(db_->delete_envelopes("bob", 1, {envelope_id(5, 0)}).ok());
  ASSERT_TRUE(db_->enqueue({make_envelope("bob", 1, envelope_id(5, 1))}, {}).ok());
  // A client that paged up to first[0].seq must still see the new one.
  auto next = fetch("bob", 1, first[0].seq);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_GT(next[0].seq, first[0].seq);
}

TEST_F(QueueTest, DeleteIsIdempotentAndOnlyTouchesTheNamedDevice) {
  std::vector<StoredEnvelope> batch{make_envelope("bob", 1, envelope_id(6, 0), 100),
                                    make_envelope("bob", 1, envelope_id(6, 1), 200),
                                    make_envelope("bob", 2, envelope_id(6, 2), 300)};
  ASSERT_TRUE(db_->enqueue(batch, {}).ok());
  // Another device cannot delete bob.1's envelope, and unknown ids are ignored.
  ASSERT_TRUE(db_->delete_envelopes("bob", 2, {envelope_id(6, 0), envelope_id(99)}).ok());
  EXPECT_EQ(fetch("bob", 1).size(), 2u);

  ASSERT_TRUE(db_->delete_envelopes("bob", 1, {envelope_id(6, 0)}).ok());
  ASSERT_TRUE(db_->delete_envelopes("bob", 1, {envelope_id(6, 0)}).ok());  // again: no-op
  ASSERT_TRUE(db_->delete_envelopes("bob", 1, {}).ok());
  auto left = fetch("bob", 1);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].envelope.id, envelope_id(6, 1));
  EXPECT_EQ(depth("bob", 1).envelopes, 1u);
  EXPECT_EQ(depth("bob", 1).bytes, 200u);
  EXPECT_EQ(depth("bob", 2).envelopes, 1u);

  ASSERT_TRUE(db_->delete_envelopes("bob", 1, {envelope_id(6, 1), envelope_id(6, 1)}).ok());
  EXPECT_EQ(depth("bob", 1).envelopes, 0u);
  EXPECT_EQ(depth("bob", 1).bytes, 0u);
  expect_depth_counters_exact(db_file());
  RawDb raw(db_file());
  // An emptied queue keeps its row, at zero (queue_writes.cpp says why).
  EXPECT_EQ(raw.query_int("SELECT count(*) FROM queue_depth"), 2);
  EXPECT_EQ(raw.query_int("SELECT count(*) FROM queue_depth WHERE envelopes = 0 AND bytes = 0"), 1);
}

TEST_F(QueueTest, DepthCountsEnvelopesAndContentBytes) {
  EXPECT_EQ(depth("bob", 1).envelopes, 0u);
  ASSERT_TRUE(
      db_->enqueue({make_envelope("bob", 1, envelope_id(7, 0), 1000), make_envelope("bob", 1, envelope_id(7, 1), 24),
                    make_envelope("amy", 3, envelope_id(7, 2), 5)},
                   {})
          .ok());
  EXPECT_EQ(depth("bob", 1).envelopes, 2u);
  EXPECT_EQ(depth("bob", 1).bytes, 1024u);
  EXPECT_EQ(depth("amy", 3).envelopes, 1u);
  EXPECT_EQ(depth("amy", 3).bytes, 5u);
  expect_depth_counters_exact(db_file());
}

TEST_F(QueueTest, CountLimitRefusesTheWholeSendAndNamesTheDevice) {
  QueueLimits limits{3, 1 << 20};
  ASSERT_TRUE(db_->enqueue({make_envelope("bob", 1, envelope_id(8, 0)), make_envelope("bob", 1, envelope_id(8, 1)),
                            make_envelope("bob", 2, envelope_id(8, 2))},
                           limits)
                  .ok());
  // bob.1 has 2, bob.2 has 1: one more each fills bob.1 to exactly 3.
  auto ok =
      db_->enqueue({make_envelope("bob", 1, envelope_id(8, 3)), make_envelope("bob", 2, envelope_id(8, 4))}, limits);
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok->queue_full);
  auto full =
      db_->enqueue({make_envelope("bob", 2, envelope_id(8, 5)), make_envelope("bob", 1, envelope_id(8, 6))}, limits);
  ASSERT_TRUE(full.ok()) << describe(full.error());
  EXPECT_TRUE(full->queue_full);
  EXPECT_EQ(full->full_user, "bob");
  EXPECT_EQ(full->full_device, 1u);
  // All or none: bob.2 did not get its envelope either.
  EXPECT_EQ(fetch("bob", 2).size(), 2u);
  EXPECT_EQ(fetch("bob", 1).size(), 3u);
  EXPECT_EQ(depth("bob", 2).envelopes, 2u);
  expect_depth_counters_exact(db_file());
}

TEST_F(QueueTest, ByteLimitCountsContentOfTheWholeRequest) {
  QueueLimits limits{100, 1000};
  ASSERT_TRUE(db_->enqueue({make_envelope("bob", 1, envelope_id(9, 0), 600)}, limits).ok());
  auto full = db_->enqueue(
      {make_envelope("bob", 1, envelope_id(9, 1), 300), make_envelope("bob", 1, envelope_id(9, 2), 101)}, limits);
  ASSERT_TRUE(full.ok());
  EXPECT_TRUE(full->queue_full);
  EXPECT_EQ(full->full_device, 1u);
  auto exact = db_->enqueue({make_envelope("bob", 1, envelope_id(9, 3), 400)}, limits);
  ASSERT_TRUE(exact.ok());
  EXPECT_FALSE(exact->queue_full);  // 1000 of 1000 is allowed
  EXPECT_EQ(depth("bob", 1).bytes, 1000u);
  // A single envelope larger than the limit on an empty queue is refused too.
  auto huge = db_->enqueue({make_envelope("zed", 1, envelope_id(9, 4), 1001)}, limits);
  EXPECT_TRUE(huge->queue_full);
  EXPECT_EQ(huge->full_user, "zed");
}

TEST_F(QueueTest, LargeFanOutIsCountedPerDevice) {
  // 40 devices, two envelopes each, interleaved: past the small-send path.
  std::vector<StoredEnvelope> batch;
  for (std::uint32_t round = 0; round < 2; ++round)
    for (std::uint32_t d = 1; d <= 40; ++d)
      batch.push_back(make_envelope("grp", d, envelope_id(13, round * 100 + d), d));
  ASSERT_TRUE(db_->enqueue(batch, {2, 1 << 20}).ok());
  for (std::uint32_t d = 1; d <= 40; ++d) {
    EXPECT_EQ(depth("grp", d).envelopes, 2u) << d;
    EXPECT_EQ(depth("grp", d).bytes, 2u * d) << d;
  }
  // One more for devices 1..40 with device 30 already at its limit of 2.
  std::vector<StoredEnvelope> more;
  for (std::uint32_t d = 1; d <= 40; ++d) more.push_back(make_envelope("grp", d, envelope_id(14, d)));
  auto full = db_->enqueue(more, {3, 1 << 20});
  ASSERT_TRUE(full.ok());
  EXPECT_FALSE(full->queue_full);
  more.clear();
  for (std::uint32_t d = 20; d <= 40; ++d) more.push_back(make_envelope("grp", 50 - d, envelope_id(15, d)));
  full = db_->enqueue(more, {3, 1 << 20});
  ASSERT_TRUE(full.ok());
  EXPECT_TRUE(full->queue_full);
  EXPECT_EQ(full->full_device, 30u);  // the first destination over the limit, in request order
  expect_depth_counters_exact(db_file());
}

TEST_F(QueueTest, DuplicateEnvelopeIdFailsTheWholeRequest) {
  ASSERT_TRUE(db_->enqueue({make_envelope("bob", 1, envelope_id(10, 0))}, {}).ok());
  auto dup =
      db_->enqueue({make_envelope("bob", 2, envelope_id(10, 1)), make_envelope("bob", 2, envelope_id(10, 0))}, {});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(db_error(dup.error()), DbError::duplicate_envelope);
  EXPECT_TRUE(fetch("bob", 2).empty());  // the first insert was rolled back
  EXPECT_EQ(depth("bob", 2).envelopes, 0u);
  expect_depth_counters_exact(db_file());
}

TEST_F(QueueTest, EmptyEnqueueIsANoOp) {
  auto r = db_->enqueue({}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->queue_full);
}

TEST_F(QueueTest, AsyncEnqueueAndDeleteCompleteInSubmissionOrder) {
  std::promise<Result<Db::EnqueueOutcome>> enq;
  std::promise<Result<void>> del;
  db_->enqueue_async({make_envelope("bob", 1, envelope_id(11, 0)), make_envelope("bob", 1, envelope_id(11, 1))}, {},
                     [&](Result<Db::EnqueueOutcome> r) { enq.set_value(std::move(r)); });
  // Submitted after the enqueue from the same thread: applied after it.
  db_->delete_envelopes_async("bob", 1, {envelope_id(11, 0)}, [&](Result<void> r) { del.set_value(std::move(r)); });
  auto e = enq.get_future().get();
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->queue_full);
  ASSERT_TRUE(del.get_future().get().ok());
  auto left = fetch("bob", 1);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].envelope.id, envelope_id(11, 1));
}

TEST_F(QueueTest, SharedAsyncEnqueueStoresTheCallersEnvelopes) {
  auto envelopes = std::make_shared<const std::vector<StoredEnvelope>>(std::vector<StoredEnvelope>{
      make_envelope("bob", 1, envelope_id(16, 0), 300), make_envelope("bob", 2, envelope_id(16, 1))});
  std::promise<Result<Db::EnqueueOutcome>> done;
  db_->enqueue_shared_async(envelopes, {}, [&](Result<Db::EnqueueOutcome> r) { done.set_value(std::move(r)); });
  auto r = done.get_future().get();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->queue_full);
  auto got = fetch("bob", 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].envelope.content, (*envelopes)[0].content);
  EXPECT_EQ(fetch("bob", 2).size(), 1u);
}

TEST_F(QueueTest, QueueSurvivesReopen) {
  ASSERT_TRUE(db_->enqueue({make_envelope("bob", 1, envelope_id(12, 0), 77)}, {}).ok());
  db_.reset();
  db_ = open_db();
  auto got = fetch("bob", 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].envelope.content, envelope_content(envelope_id(12, 0), 77));
  EXPECT_EQ(depth("bob", 1).bytes, 77u);
}

}  // namespace
}  // namespace hush::server::test
