// A recipient that connects later gets its whole queue, in order, then
// QueueDrained; envelopes it does not acknowledge come again on the next
// connection, and acknowledged ones never do.
#include "e2e_test.hpp"

namespace hush::e2e {
namespace {

class OfflineDeliveryTest : public E2eTest {
 protected:
  // A server, Alice connected, Bob registered but offline, and `n` messages
  // from Alice queued for him; returns their bodies in order.
  std::vector<std::string> queue_for_offline_bob(std::size_t n) {
    std::vector<std::string> sent;
    if (start_server() == nullptr) return sent;
    alice_ = register_messenger("alice");
    bob_ = register_messenger("bob", /*connect=*/false);
    if (!alice_ || !bob_) return sent;
    for (std::size_t i = 0; i < n; ++i) {
      sent.push_back(marker());
      if (!alice_->send("bob", sent.back()).ok()) return {};
    }
    return sent;
  }

  std::unique_ptr<client::Messenger> alice_, bob_;
};

// Pushes until QueueDrained (or the deadline): the envelopes before it.
std::vector<api::Envelope> drain(client::RelayClient& relay, milliseconds timeout, bool& drained) {
  std::vector<api::Envelope> envelopes;
  drained = false;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!drained && std::chrono::steady_clock::now() < deadline) {
    auto push = relay.next_push(100ms);
    if (!push) break;
    if (!push->has_value()) continue;
    if ((*push)->has_envelope()) envelopes.push_back((*push)->envelope());
    if ((*push)->has_queue_drained()) drained = true;
  }
  return envelopes;
}

TEST_F(OfflineDeliveryTest, QueueArrivesInOrderOnConnectAndOnlyUnackedComeAgain) {
  constexpr std::size_t kQueued = 30;
  const std::vector<std::string> sent = queue_for_offline_bob(kQueued);
  ASSERT_EQ(sent.size(), kQueued);
  auto& alice = alice_;
  auto& bob = bob_;

  // First connection: look at the queue without acknowledging anything.
  {
    auto peek = client::RelayClient::connect(endpoint(), &bob->credentials());
    ASSERT_OK(peek);
    bool drained = false;
    auto queued = drain(**peek, scaled(10s), drained);
    EXPECT_TRUE(drained) << "no QueueDrained after the queue";
    ASSERT_EQ(queued.size(), kQueued);
    for (std::size_t i = 0; i < queued.size(); ++i) {
      EXPECT_EQ(queued[i].source_user(), "alice");
      EXPECT_EQ(queued[i].destination_user(), "bob");
      EXPECT_EQ(queued[i].id().size(), 16u);
      EXPECT_EQ(queued[i].type(), 3u) << "every message before Bob answers is a PreKey message";
      if (i > 0) {
        EXPECT_GE(queued[i].server_timestamp(), queued[i - 1].server_timestamp());
      }
    }
    (*peek)->close();
  }

  // Second connection (the Messenger): the same envelopes again, decrypted
  // in order, then acknowledged.
  ASSERT_OK(bob->connect());
  ASSERT_OK(bob->wait_for_inbox(kQueued, scaled(10s)));
  ASSERT_EQ(bob->inbox().size(), kQueued);
  for (std::size_t i = 0; i < kQueued; ++i) EXPECT_EQ(bob->inbox()[i].body, sent[i]) << "position " << i;
  EXPECT_EQ(bob->stats().envelopes_acked, kQueued);
  for (int i = 0; i < 50 && !bob->queue_drained(); ++i) ASSERT_OK(bob->poll(100ms));
  EXPECT_TRUE(bob->queue_drained());

  // Online now: a new message is pushed as it arrives.
  const std::string live = marker();
  ASSERT_OK(alice->send("bob", live));
  ASSERT_OK(bob->wait_for_inbox(kQueued + 1, scaled(5s)));
  EXPECT_EQ(bob->inbox().back().body, live);
  bob->disconnect();

  // Third connection: everything was acknowledged, so only QueueDrained.
  auto again = client::RelayClient::connect(endpoint(), &bob->credentials());
  ASSERT_OK(again);
  bool drained = false;
  auto leftover = drain(**again, scaled(5s), drained);
  EXPECT_TRUE(drained);
  EXPECT_TRUE(leftover.empty()) << leftover.size() << " acknowledged envelopes delivered again";
}

// A quiet ack (AckRequest.quiet) is answered only when it fails; the
// envelopes it names are deleted all the same, and the next connection
// (whose queue read waits for deletes not yet committed) does not get them.
TEST_F(OfflineDeliveryTest, QuietAcksAreAnsweredOnlyWhenTheyFail) {
  constexpr std::size_t kQueued = 3;
  ASSERT_EQ(queue_for_offline_bob(kQueued).size(), kQueued);
  auto& bob = bob_;

  auto relay = client::RelayClient::connect(endpoint(), &bob->credentials());
  ASSERT_OK(relay);
  bool drained = false;
  auto queued = drain(**relay, scaled(10s), drained);
  ASSERT_TRUE(drained);
  ASSERT_EQ(queued.size(), kQueued);

  auto send_ack = [&](std::uint64_t id, const std::vector<std::string>& ids) {
    api::Frame frame;
    frame.mutable_request()->set_id(id);
    auto* ack = frame.mutable_request()->mutable_ack();
    for (const auto& e : ids) ack->add_envelope_ids(e);
    ack->set_quiet(true);
    const std::string bytes = frame.SerializeAsString();
    return (*relay)->send_raw(as_bytes(bytes), true);
  };
  std::vector<std::string> ids;
  for (const auto& e : queued) ids.push_back(e.id());
  ASSERT_OK(send_ack(101, ids));
  // Over the per-request limit (10,000 ids): refused, and so answered.
  ASSERT_OK(send_ack(102, std::vector<std::string>(10'001, std::string(16, '\x01'))));

  std::vector<api::Response> answers;
  const auto deadline = std::chrono::steady_clock::now() + scaled(2s);
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = (*relay)->next_unmatched_response(100ms);
    ASSERT_OK(r);
    if (r->has_value()) answers.push_back(**r);
  }
  ASSERT_EQ(answers.size(), 1u) << "a quiet ack that succeeded was answered";
  EXPECT_EQ(answers[0].id(), 102u);
  EXPECT_EQ(answers[0].status(), 400u);
  (*relay)->close();

  auto again = client::RelayClient::connect(endpoint(), &bob->credentials());
  ASSERT_OK(again);
  auto leftover = drain(**again, scaled(5s), drained);
  EXPECT_TRUE(drained);
  EXPECT_TRUE(leftover.empty()) << leftover.size() << " quietly acknowledged envelopes delivered again";
}

}  // namespace
}  // namespace hush::e2e
