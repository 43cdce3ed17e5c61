// One profile used by several hush processes at once, as a person with a
// `listen` in one terminal does: while bob's listen runs and receives, his
// `history`, `status` and `send` in other processes open the same database.
// Nothing is lost or doubled: the listen prints every message once, and
// afterwards the history holds every message, each once.
#include <signal.h>

#include "cli_test.hpp"

namespace hush::e2e_cli {
namespace {

using CliConcurrentUseTest = CliE2eTest;

TEST_F(CliConcurrentUseTest, CommandsBesideARunningListenLoseAndDoubleNothing) {
  auto alice = make_user("alice");
  auto bob = make_user("bob");
  init_users({&alice, &bob});
  ASSERT_FALSE(HasFatalFailure());

  auto listener = HushProcess::start(bob, {"listen", "--json"});
  ASSERT_TRUE(listener);
  std::vector<std::string> to_bob;
  auto alice_sends = [&](int n) {
    for (int i = 0; i < n; ++i) {
      to_bob.push_back(marker());
      const auto r = run_hush(alice, {"send", "bob", to_bob.back()});
      ASSERT_EQ(r.exit, 0) << r.describe();
    }
  };
  auto received_all = [&](const auto& lines) { return bodies_of(messages_in(lines)) == to_bob; };

  alice_sends(3);
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_TRUE(listener->wait_for(received_all, scaled(20s))) << listener->describe();

  // bob's other commands, all at once, beside the listen.
  const std::string reply = marker();
  CliResult history, status, send;
  in_parallel({[&] { history = run_hush(bob, {"history", "alice", "--json"}); },
               [&] { status = run_hush(bob, {"status", "--json"}); },
               [&] { send = run_hush(bob, {"send", "alice", reply}); }});
  EXPECT_EQ(history.exit, 0) << history.describe();
  // (bob's reply may or may not be stored yet: it is being sent meanwhile.)
  std::vector<nlohmann::json> incoming;
  for (const auto& m : messages_in(history.json_lines()))
    if (m.value("direction", "") == "in") incoming.push_back(m);
  EXPECT_EQ(bodies_of(incoming), to_bob) << history.describe();
  EXPECT_EQ(status.exit, 0) << status.describe();
  EXPECT_EQ(status.json().value("user", ""), "bob") << status.describe();
  EXPECT_EQ(send.exit, 0) << send.describe();

  alice_sends(3);
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_TRUE(listener->wait_for(received_all, scaled(20s))) << listener->describe();
  EXPECT_TRUE(listener->stop(SIGTERM, scaled(10s)).has_value()) << listener->describe();
  EXPECT_EQ(bodies_of(messages_in(listener->json_lines())), to_bob) << listener->describe();

  const auto after = run_hush(bob, {"history", "alice", "--json"});
  ASSERT_EQ(after.exit, 0) << after.describe();
  std::vector<std::string> expected(to_bob.begin(), to_bob.begin() + 3);
  expected.push_back(reply);
  expected.insert(expected.end(), to_bob.begin() + 3, to_bob.end());
  EXPECT_EQ(bodies_of(messages_in(after.json_lines())), expected) << after.describe();
  const auto again = run_hush(bob, {"listen", "--once", "--json"});
  EXPECT_TRUE(messages_in(again.json_lines()).empty()) << again.describe();

  const auto alice_got = run_hush(alice, {"listen", "--once", "--json"});
  EXPECT_EQ(bodies_of(messages_in(alice_got.json_lines())), std::vector<std::string>{reply}) << alice_got.describe();
}

}  // namespace
}  // namespace hush::e2e_cli
