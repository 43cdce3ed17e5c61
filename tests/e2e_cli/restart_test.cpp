// Processes die mid-conversation. (a) bob's `hush listen` gets kill -9
// while alice's messages are arriving; a new `listen` picks up the rest and
// every message is printed exactly once across both runs, in order, and
// stored once. (b) hushd gets kill -9: a `send` meanwhile exits 5 with the
// message queued; after hushd restarts on the same data dir and port, the
// queued messages are delivered exactly once, and a `listen` that ran all
// along reconnected by itself.
#include <signal.h>

#include <atomic>
#include <set>
#include <thread>

#include "cli_test.hpp"

namespace hush::e2e_cli {
namespace {

using CliRestartTest = CliE2eTest;

std::size_t count_of(const std::vector<nlohmann::json>& lines) { return messages_in(lines).size(); }

TEST_F(CliRestartTest, ListenKilledWhileMessagesArriveEveryMessagePrintedOnce) {
  auto alice = make_user("alice");
  auto bob = make_user("bob");
  init_users({&alice, &bob});
  ASSERT_FALSE(HasFatalFailure());

  constexpr int kMessages = 12;
  constexpr std::size_t kKillAfter = 3;
  std::vector<std::string> bodies;
  for (int i = 0; i < kMessages; ++i) bodies.push_back(marker() + " #" + std::to_string(i));

  auto first_run = HushProcess::start(bob, {"listen", "--json"});
  ASSERT_TRUE(first_run);

  // alice sends one message after another on a thread of her own; each send
  // waits for its process, so none outlives the thread.
  std::vector<std::string> sent_ids(kMessages);
  std::vector<CliResult> failures;
  std::atomic<int> sent{0};
  std::thread sender([&] {
    for (int i = 0; i < kMessages; ++i) {
      auto r = run_hush(alice, {"send", "bob", bodies[i]});
      sent_ids[i] = sent_id(r.out, "bob");
      if (r.exit != 0 || sent_ids[i].empty()) failures.push_back(r);
      sent = i + 1;
    }
  });
  struct Joiner {
    std::thread& t;
    ~Joiner() {
      if (t.joinable()) t.join();
    }
  } joiner{sender};

  const bool arrived =
      first_run->wait_for([&](const auto& lines) { return count_of(lines) >= kKillAfter; }, scaled(30s));
  first_run->kill9();
  const int sent_at_kill = sent;
  ASSERT_TRUE(arrived) << "bob's listen printed fewer than " << kKillAfter << " messages: " << first_run->describe();
  EXPECT_LT(sent_at_kill, kMessages) << "alice had finished before the kill: the test did not kill mid-stream";

  auto second_run = HushProcess::start(bob, {"listen", "--json"});
  ASSERT_TRUE(second_run);
  auto printed = [&] {
    auto all = messages_in(first_run->json_lines());
    for (auto& m : messages_in(second_run->json_lines())) all.push_back(std::move(m));
    return all;
  };
  const bool all_arrived = second_run->wait_for(
      [&](const auto&) {
        std::set<std::string> ids;
        for (const auto& id : ids_of(printed())) ids.insert(id);
        return ids.size() >= static_cast<std::size_t>(kMessages);
      },
      scaled(60s));
  sender.join();
  for (const auto& f : failures) ADD_FAILURE() << "a send failed: " << f.describe();
  EXPECT_TRUE(all_arrived) << "first run:\n" << first_run->describe() << "\nsecond run:\n" << second_run->describe();
  // A redelivery of what the first run printed but never acknowledged comes
  // first on connecting, so a duplicate would be among the lines by now.
  EXPECT_TRUE(second_run->running()) << second_run->describe();
  EXPECT_TRUE(second_run->stop(SIGTERM, scaled(10s)).has_value()) << "listen did not exit on SIGTERM";

  EXPECT_EQ(ids_of(printed()), sent_ids) << "every message exactly once, in order, across both runs\nfirst run:\n"
                                         << first_run->describe() << "\nsecond run:\n" << second_run->describe();
  EXPECT_EQ(bodies_of(printed()), bodies);

  // Nothing left to redeliver, and the history has each message once.
  const auto drained = run_hush(bob, {"listen", "--once", "--json"});
  ASSERT_EQ(drained.exit, 0) << drained.describe();
  EXPECT_TRUE(messages_in(drained.json_lines()).empty()) << drained.describe();
  const auto history = run_hush(bob, {"history", "alice", "--json"});
  ASSERT_EQ(history.exit, 0) << history.describe();
  EXPECT_EQ(ids_of(messages_in(history.json_lines())), sent_ids) << history.describe();
}

TEST_F(CliRestartTest, ServerKilledSendQueuesListenReconnectsDeliveredOnce) {
  auto alice = make_user("alice");
  auto bob = make_user("bob");
  init_users({&alice, &bob});
  ASSERT_FALSE(HasFatalFailure());

  auto listener = HushProcess::start(bob, {"listen", "--json"});
  ASSERT_TRUE(listener);
  const std::string before = marker();
  const auto sent_before = run_hush(alice, {"send", "bob", before});
  ASSERT_EQ(sent_before.exit, 0) << sent_before.describe();
  ASSERT_TRUE(listener->wait_for([](const auto& lines) { return count_of(lines) == 1; }, scaled(20s)))
      << listener->describe();

  kill_server();
  const std::string queued_json = marker(), queued_text = marker();
  const auto q1 = run_hush(alice, {"send", "bob", queued_json, "--json"});
  EXPECT_EQ(q1.exit, 5) << q1.describe();
  EXPECT_EQ(q1.json().value("status", ""), "queued") << q1.describe();
  EXPECT_EQ(q1.json().value("to", ""), "bob") << q1.describe();
  const std::string q1_id = q1.json().value("id", "");
  const auto q2 = run_hush(alice, {"send", "bob", queued_text});
  EXPECT_EQ(q2.exit, 5) << q2.describe();
  EXPECT_NE((q2.out + q2.err).find("queued"), std::string::npos) << q2.describe();

  const auto down = run_hush(alice, {"status", "--json"});
  EXPECT_EQ(down.json().value("reachable", true), false) << down.describe();
  EXPECT_EQ(down.json().value("outbox", -1), 2) << down.describe();
  EXPECT_TRUE(listener->running()) << "listen gave up while the server was down: " << listener->describe();

  ASSERT_TRUE(start_server());  // same data dir, same port
  const std::string after = marker();
  const auto sent_after = run_hush(alice, {"send", "bob", after});
  ASSERT_EQ(sent_after.exit, 0) << sent_after.describe();

  ASSERT_TRUE(listener->wait_for([](const auto& lines) { return count_of(lines) >= 4; }, scaled(30s)))
      << "the running listen did not reconnect and receive: " << listener->describe();
  const auto up = run_hush(alice, {"status", "--json"});
  EXPECT_EQ(up.json().value("reachable", false), true) << up.describe();
  EXPECT_EQ(up.json().value("outbox", -1), 0) << up.describe();
  EXPECT_TRUE(listener->stop(SIGINT, scaled(10s)).has_value()) << "listen did not exit on SIGINT";

  const auto printed = messages_in(listener->json_lines());
  EXPECT_EQ(bodies_of(printed), (std::vector<std::string>{before, queued_json, queued_text, after}))
      << listener->describe();
  if (printed.size() >= 2) {
    EXPECT_EQ(printed[1].value("id", ""), q1_id);
  }

  const auto history = run_hush(bob, {"history", "alice", "--json"});
  ASSERT_EQ(history.exit, 0) << history.describe();
  EXPECT_EQ(bodies_of(messages_in(history.json_lines())),
            (std::vector<std::string>{before, queued_json, queued_text, after}))
      << history.describe();
}

}  // namespace
}  // namespace hush::e2e_cli
