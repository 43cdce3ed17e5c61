// Messages to someone who has never been online: alice sends while bob has
// never connected a listener (only registered); bob's first `listen --once`
// prints every one of them, in the order sent, with the ids alice was told.
#include "cli_test.hpp"

namespace hush::e2e_cli {
namespace {

using CliOfflineDeliveryTest = CliE2eTest;

TEST_F(CliOfflineDeliveryTest, EverythingSentBeforeBobFirstListensArrivesInOrder) {
  auto alice = make_user("alice");
  auto bob = make_user("bob");
  init_users({&alice, &bob});
  ASSERT_FALSE(HasFatalFailure());

  constexpr int kMessages = 5;
  std::vector<std::string> bodies, ids;
  for (int i = 0; i < kMessages; ++i) {
    bodies.push_back(marker() + " #" + std::to_string(i));
    const auto sent = run_hush(alice, {"send", "bob", bodies.back()});
    ASSERT_EQ(sent.exit, 0) << sent.describe();
    ids.push_back(sent_id(sent.out, "bob"));
    ASSERT_FALSE(ids.back().empty()) << sent.describe();
  }

  const auto status = run_hush(alice, {"status", "--json"});
  ASSERT_EQ(status.exit, 0) << status.describe();
  EXPECT_EQ(status.json().value("outbox", -1), 0) << "sent messages stay in the outbox: " << status.describe();

  const auto got = run_hush(bob, {"listen", "--once", "--json"});
  ASSERT_EQ(got.exit, 0) << got.describe();
  const auto messages = messages_in(got.json_lines());
  EXPECT_EQ(bodies_of(messages), bodies) << got.describe();
  EXPECT_EQ(ids_of(messages), ids) << got.describe();
  for (const auto& m : messages) EXPECT_EQ(m.value("from", ""), "alice") << m.dump();
}

}  // namespace
}  // namespace hush::e2e_cli
