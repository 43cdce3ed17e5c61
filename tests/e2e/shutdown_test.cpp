// SIGTERM: every WebSocket is closed with 1001, hushd exits 0, and whatever
// it acknowledged before is still there after a restart on the same data.
#include <atomic>
#include <thread>

#include "e2e_test.hpp"

namespace hush::e2e {
namespace {

using ShutdownTest = E2eTest;

TEST_F(ShutdownTest, SigtermClosesWith1001ExitsZeroAndKeepsAcknowledgedData) {
  ASSERT_NE(start_server(), nullptr);
  auto alice = register_messenger("alice");
  auto bob = register_messenger("bob");
  auto carol = register_messenger("carol", /*connect=*/false);
  ASSERT_TRUE(alice && bob && carol);

  // Alice keeps sending to offline Carol while the server is told to stop.
  const std::string prefix = marker();
  std::atomic<int> acknowledged{0};
  std::string alice_error;
  std::thread sender([&] {
    for (int k = 0; k < 10'000; ++k) {
      auto r = alice->send("carol", prefix + "/" + std::to_string(k));
      if (!r) {
        alice_error = r.error().message;
        return;
      }
      acknowledged.fetch_add(1);
    }
  });
  const auto deadline = std::chrono::steady_clock::now() + scaled(20s);
  while (acknowledged.load() < 50 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  const auto exit_code = server_->terminate(scaled(20s));
  sender.join();
  ASSERT_GE(acknowledged.load(), 50) << "sending never got going: " << alice_error;
  EXPECT_EQ(exit_code, std::optional<int>(0)) << "hushd did not exit 0 on SIGTERM";

  for (auto* m : {alice.get(), bob.get()}) {
    ASSERT_NE(m->relay(), nullptr);
    const auto closed = m->relay()->wait_closed(scaled(5s));
    ASSERT_TRUE(closed) << m->username() << "'s connection is still open";
    EXPECT_TRUE(closed->by_server) << m->username() << ": " << closed->reason;
    EXPECT_EQ(closed->code, 1001) << m->username() << ": " << closed->reason;
  }

  // Restart on the same data: everything acknowledged is there; the send
  // that was cut off is retried by Alice with the same id.
  ASSERT_NE(start_server(), nullptr);
  ASSERT_OK(alice->connect());
  ASSERT_OK(alice->flush());
  const std::size_t total = alice->stats().sent;  // acknowledged before the stop, plus the retried one
  ASSERT_GE(total, static_cast<std::size_t>(acknowledged.load()));
  ASSERT_OK(carol->connect());
  ASSERT_OK(carol->wait_for_inbox(total, scaled(20s)));
  ASSERT_OK(carol->poll(scaled(500ms)));  // anything beyond would be a duplicate
  ASSERT_EQ(carol->inbox().size(), total) << "every acknowledged message, exactly once";
  for (std::size_t k = 0; k < carol->inbox().size(); ++k)
    EXPECT_EQ(carol->inbox()[k].body, prefix + "/" + std::to_string(k));
  EXPECT_EQ(carol->stats().decrypt_failures, 0u);
}

}  // namespace
}  // namespace hush::e2e
