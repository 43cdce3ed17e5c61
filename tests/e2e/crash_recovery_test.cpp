// kill -9 of hushd in the middle of a send storm from many clients, then a
// restart on the same data directory: every message the server acknowledged
// (and, through sender retries, every message sent) reaches its recipient's
// application exactly once and in order. Acks after recording and the
// client-side dedupe by message id make up for what the crash cut short.
#include <atomic>
#include <thread>

#include "e2e_test.hpp"

namespace hush::e2e {
namespace {

using CrashRecoveryTest = E2eTest;
using Clock = std::chrono::steady_clock;

constexpr int kClients = 8;
constexpr int kSendsPerClient = 200;

std::string name_of(int i) {
  return "storm" + std::to_string(i);
}
std::string body_of(const std::string& marker, int k) {
  return marker + "/" + std::to_string(k);
}

struct ClientOutcome {
  std::vector<client::MessageId> acknowledged;  // ids the server answered 200 for, in order
  int reconnects = 0;
  std::string last_error;
};

// One client's storm: send kSendsPerClient messages to the next client in
// the ring, one at a time, reconnecting and retrying through failures, and
// receive from the previous one until everything has arrived.
void run_client(client::Messenger& m, const std::string& marker, int index, Clock::time_point deadline,
                std::atomic<int>& acknowledged_total, ClientOutcome& out) {
  const std::string peer = name_of((index + 1) % kClients);
  int next = 0;
  client::MessageId pending{};
  while (Clock::now() < deadline) {
    const bool sending_done = next == kSendsPerClient && m.outbox_size() == 0;
    if (sending_done && m.inbox().size() >= static_cast<std::size_t>(kSendsPerClient)) return;
    if (!m.connected()) {
      ++out.reconnects;
      if (auto r = m.reconnect(std::min(deadline, Clock::now() + 2s)); !r) {
        out.last_error = r.error().message;
        continue;
      }
    }
    if (m.outbox_size() == 0 && next < kSendsPerClient) {
      auto queued = m.enqueue(peer, body_of(marker, next++));
      if (!queued) {
        out.last_error = queued.error().message;
        return;
      }
      pending = *queued;
    }
    if (m.outbox_size() > 0) {
      if (auto r = m.flush(); !r) {
        // The server is gone or going: keep the message, start over.
        out.last_error = r.error().message;
        m.disconnect();
        continue;
      }
      out.acknowledged.push_back(pending);
      acknowledged_total.fetch_add(1);
    }
    if (auto r = m.poll(sending_done ? 100ms : 0ms); !r) {
      out.last_error = r.error().message;
      m.disconnect();
    }
  }
}

TEST_F(CrashRecoveryTest, KillNineDuringSendStormDeliversEveryAcknowledgedMessageExactlyOnce) {
  ASSERT_NE(start_server(), nullptr);
  std::vector<std::unique_ptr<client::Messenger>> clients;
  std::vector<std::string> client_markers;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(register_messenger(name_of(i)));
    ASSERT_TRUE(clients.back());
    client_markers.push_back(marker());
  }

  const auto started = Clock::now();
  const auto deadline = started + scaled(100s);
  std::atomic<int> acknowledged_total{0};
  std::vector<ClientOutcome> outcomes(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i)
    threads.emplace_back(run_client, std::ref(*clients[i]), client_markers[i], i, deadline,
                         std::ref(acknowledged_total), std::ref(outcomes[i]));

  // Kill a quarter of the way through, with every client mid-storm.
  const int kill_at = kClients * kSendsPerClient / 4;
  while (acknowledged_total.load() < kill_at && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
  const int acknowledged_at_kill = acknowledged_total.load();
  server_->kill9();
  std::this_thread::sleep_for(300ms);  // clients fail and retry against nothing
  const bool restarted = start_server() != nullptr;
  for (auto& t : threads) t.join();
  ASSERT_TRUE(restarted);
  ASSERT_GE(acknowledged_at_kill, kill_at) << "the storm never got going";
  ASSERT_LT(acknowledged_at_kill, kClients * kSendsPerClient) << "killed too late to be mid-storm";

  std::uint64_t duplicates = 0, replays = 0, attempts = 0;
  int reconnects = 0;
  for (int i = 0; i < kClients; ++i) {
    const client::Messenger& sender = *clients[i];
    const client::Messenger& receiver = *clients[(i + 1) % kClients];
    const ClientOutcome& out = outcomes[i];
    EXPECT_EQ(out.acknowledged.size(), static_cast<std::size_t>(kSendsPerClient))
        << name_of(i) << " did not finish sending; last error: " << out.last_error;

    // What the receiver's application got from this sender: every body once,
    // in send order, and every acknowledged id among them.
    std::vector<client::MessageId> received_ids;
    int expected = 0;
    for (const auto& msg : receiver.inbox()) {
      if (msg.sender != sender.username()) continue;
      EXPECT_EQ(msg.body, body_of(client_markers[i], expected)) << name_of(i) << " -> " << receiver.username();
      ++expected;
      received_ids.push_back(msg.id);
    }
    EXPECT_EQ(expected, kSendsPerClient) << receiver.username() << " got " << expected << " from " << name_of(i);
    EXPECT_EQ(received_ids, out.acknowledged) << "acknowledged ids and delivered ids differ for " << name_of(i);
    EXPECT_EQ(receiver.stats().decrypt_failures, 0u);
    duplicates += receiver.stats().duplicates_dropped;
    replays += receiver.stats().replays_dropped;
    attempts += sender.stats().send_attempts;
    reconnects += out.reconnects;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::cout << "storm: " << kClients * kSendsPerClient << " messages, killed after " << acknowledged_at_kill
            << " acknowledged; " << attempts << " send attempts, " << reconnects << " reconnects, " << duplicates
            << " duplicate ids dropped, " << replays << " redelivered envelopes dropped; " << seconds << " s\n";
  RecordProperty("duplicates_dropped", static_cast<int>(duplicates));
  RecordProperty("replays_dropped", static_cast<int>(replays));
}

}  // namespace
}  // namespace hush::e2e
