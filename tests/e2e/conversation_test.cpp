// Two libhush parties talking through a real hushd: registration with
// invites, X3DH from fetched bundles, Double Ratchet messages both ways
// (one party on the SQLite store, one in memory), and a second device
// appearing mid-conversation (409, then a retry).
#include <map>
#include <utility>

#include "e2e_test.hpp"

namespace hush::e2e {
namespace {

using ConversationTest = E2eTest;

TEST_F(ConversationTest, InvitedPartiesTalkBothWaysThroughTheServer) {
  auto config = server_config();
  config.open_registration = false;
  ASSERT_NE(start_server(config), nullptr);
  auto alice_invite = create_invite(data_dir(), scaled(10s));
  auto bob_invite = create_invite(data_dir(), scaled(10s));
  ASSERT_OK(alice_invite);
  ASSERT_OK(bob_invite);

  auto alice_options = messenger_options("alice");
  alice_options.invite = *alice_invite;
  alice_options.store_dir = dir() / "alice-store";  // Alice's protocol state in SQLite, Bob's in memory
  auto alice = client::Messenger::register_account(alice_options);
  ASSERT_OK(alice);

  // Without an invite, or with a spent one, registration is refused (403).
  SystemRng rng;
  client::DirectoryApi api(endpoint());
  client::AccountRequest mallory{"mallory", std::nullopt, KeyPair::generate(rng).public_key, 77};
  Secret<32> secret;
  rng.fill(secret.mut());
  EXPECT_FALSE(api.register_account(mallory, secret).ok());
  EXPECT_EQ(api.last_status(), 403u);
  mallory.invite = *alice_invite;
  EXPECT_FALSE(api.register_account(mallory, secret).ok());
  EXPECT_EQ(api.last_status(), 403u);

  auto bob_options = messenger_options("bob");
  bob_options.invite = *bob_invite;
  bob_options.prekey_batch = 20;  // above the PrekeysLow threshold (10): no replenishing here
  auto bob = client::Messenger::register_account(bob_options);
  ASSERT_OK(bob);
  ASSERT_OK((*alice)->connect());
  ASSERT_OK((*bob)->connect());
  auto count_before = (*bob)->directory().prekey_count((*bob)->credentials());
  ASSERT_OK(count_before);
  EXPECT_EQ(*count_before, 20u);

  // Alice starts: her first message is a PreKey message built from Bob's
  // bundle, which claims one of his prekeys.
  std::vector<std::string> to_bob, to_alice;
  for (int round = 0; round < 5; ++round) {
    to_bob.push_back(marker());
    ASSERT_OK((*alice)->send("bob", to_bob.back()));
    ASSERT_OK((*bob)->wait_for_inbox(to_bob.size(), scaled(5s)));
    to_alice.push_back(marker());
    ASSERT_OK((*bob)->send("alice", to_alice.back()));
    ASSERT_OK((*alice)->wait_for_inbox(to_alice.size(), scaled(5s)));
  }
  // Several in a row, each side.
  for (int i = 0; i < 10; ++i) {
    to_bob.push_back(marker());
    ASSERT_OK((*alice)->send("bob", to_bob.back()));
  }
  ASSERT_OK((*bob)->wait_for_inbox(to_bob.size(), scaled(5s)));

  ASSERT_EQ((*bob)->inbox().size(), to_bob.size());
  for (std::size_t i = 0; i < to_bob.size(); ++i) {
    EXPECT_EQ((*bob)->inbox()[i].body, to_bob[i]);
    EXPECT_EQ((*bob)->inbox()[i].sender, "alice");
    EXPECT_EQ((*bob)->inbox()[i].sender_device, 1u);
  }
  ASSERT_EQ((*alice)->inbox().size(), to_alice.size());
  for (std::size_t i = 0; i < to_alice.size(); ++i) EXPECT_EQ((*alice)->inbox()[i].body, to_alice[i]);

  auto count_after = (*bob)->directory().prekey_count((*bob)->credentials());
  ASSERT_OK(count_after);
  EXPECT_EQ(*count_after, 19u) << "exactly one prekey claimed by Alice's bundle fetch";
  for (auto* m : {alice->get(), bob->get()}) {
    EXPECT_EQ(m->stats().decrypt_failures, 0u);
    EXPECT_EQ(m->stats().duplicates_dropped, 0u);
    EXPECT_EQ(m->outbox_size(), 0u);
  }
}

TEST_F(ConversationTest, SecondDeviceGetsMessagesAfterMismatchedDevices) {
  ASSERT_NE(start_server(), nullptr);
  auto alice = register_messenger("alice");
  auto bob = register_messenger("bob");
  ASSERT_TRUE(alice && bob);
  ASSERT_OK(alice->send("bob", marker()));
  ASSERT_OK(bob->wait_for_inbox(1, scaled(5s)));

  // Bob adds a device; Alice's next send addresses only device 1, gets 409
  // with device 2 missing, fetches its bundle and retries.
  auto bob2 = bob->link_device();
  ASSERT_OK(bob2);
  ASSERT_EQ((*bob2)->device_id(), 2u);
  ASSERT_OK((*bob2)->connect());
  const std::string text = marker();
  ASSERT_OK(alice->send("bob", text));
  EXPECT_GE(alice->stats().mismatch_retries, 1u);
  ASSERT_OK(bob->wait_for_inbox(2, scaled(5s)));
  ASSERT_OK((*bob2)->wait_for_inbox(1, scaled(5s)));
  EXPECT_EQ(bob->inbox().back().body, text);
  EXPECT_EQ((*bob2)->inbox().back().body, text);

  // Both of Bob's devices answer; Alice hears from each.
  ASSERT_OK(bob->send("alice", marker()));
  ASSERT_OK((*bob2)->send("alice", marker()));
  ASSERT_OK(alice->wait_for_inbox(2, scaled(5s)));
  EXPECT_EQ(alice->inbox()[0].sender_device + alice->inbox()[1].sender_device, 3u);
}

// With several I/O threads each connection runs on a strand of its own
// (with one thread, the default, on the plain io_context), and a group
// commit's completions may run on any of the threads: four parties all
// talking to each other still get every message, in each sender's order.
TEST_F(ConversationTest, EveryoneHearsEveryoneOnAServerWithSeveralIoThreads) {
  auto config = server_config();
  config.extra_args = {"--threads", "3"};
  ASSERT_NE(start_server(config), nullptr);
  const std::vector<std::string> names = {"amy", "ben", "cat", "dan"};
  std::vector<std::unique_ptr<client::Messenger>> parties;
  for (const auto& name : names) {
    parties.push_back(register_messenger(name));
    ASSERT_NE(parties.back(), nullptr) << name;
  }
  constexpr std::size_t kRounds = 4;
  std::map<std::pair<std::size_t, std::string>, std::vector<std::string>> expected;  // (to, from) -> bodies
  for (std::size_t round = 0; round < kRounds; ++round) {
    for (std::size_t from = 0; from < parties.size(); ++from) {
      for (std::size_t to = 0; to < parties.size(); ++to) {
        if (to == from) continue;
        auto& bodies = expected[{to, names[from]}];
        bodies.push_back(marker());
        ASSERT_OK(parties[from]->send(names[to], bodies.back()));
      }
    }
  }
  const std::size_t each = kRounds * (parties.size() - 1);
  for (std::size_t to = 0; to < parties.size(); ++to) {
    ASSERT_OK(parties[to]->wait_for_inbox(each, scaled(10s)));
    std::map<std::string, std::vector<std::string>> got;
    for (const auto& m : parties[to]->inbox()) got[m.sender].push_back(m.body);
    for (std::size_t from = 0; from < parties.size(); ++from) {
      if (from == to) continue;
      EXPECT_EQ(got[names[from]], (expected[{to, names[from]}])) << names[from] << " -> " << names[to];
    }
    EXPECT_EQ(parties[to]->stats().decrypt_failures, 0u);
  }
}

}  // namespace
}  // namespace hush::e2e
