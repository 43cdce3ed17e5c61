// A Messenger on a hush profile (sealed SQLite: Profile + SqliteClientState)
// against a real hushd: a process that dies at any step of handling an
// envelope loses nothing and shows the message once after a restart; an
// unacknowledged send survives a restart and goes out with the same id; the
// signed prekey rotates on schedule and a retired one still decrypts late
// PreKey messages until its grace period ends; two Messengers on one
// profile (hush listen and hush send at once) take turns on the sessions.
//
// The crash is a C++ exception thrown from Messenger's receive_step_hook:
// nothing after that point runs (no session commit, no ack), and the
// Messenger is thrown away with its connection, as a dead process would be.
// Only what was durable on disk is reopened.
#include <atomic>
#include <functional>
#include <thread>

#include "e2e_test.hpp"
#include "hush/client/profile.hpp"

namespace hush::e2e {
namespace {

constexpr std::string_view kPassphrase = "correct horse battery staple";
constexpr std::uint64_t kDay = 24 * 60 * 60;

struct Crash {};

class TestClock final : public Clock {
 public:
  std::uint64_t now_seconds() const override { return now; }
  std::uint64_t now = 1'800'000'000;
};

class PersistentClientTest : public E2eTest {
 protected:
  std::filesystem::path bob_dir() const { return dir() / "bob-profile"; }

  client::MessengerOptions bob_options(std::function<void(client::ReceiveStep)> hook = {}) const {
    auto o = messenger_options("bob");
    o.prekey_batch = 20;
    o.clock = &clock_;
    o.receive_step_hook = std::move(hook);
    return o;
  }

  // Creates and registers bob's profile (not connected).
  std::unique_ptr<client::Messenger> create_bob() {
    auto profile = client::Profile::create(bob_dir(), "bob", kPassphrase, KdfParams::minimum());
    if (!profile) {
      ADD_FAILURE() << profile.error().message;
      return nullptr;
    }
    auto m = client::Messenger::register_account(bob_options(), std::move(profile->store), std::move(profile->state));
    if (!m) {
      ADD_FAILURE() << "registering bob: " << m.error().message;
      return nullptr;
    }
    return std::move(m).value();
  }

  // Bob's profile opened again, as a new process would, and connected.
  std::unique_ptr<client::Messenger> open_bob(std::function<void(client::ReceiveStep)> hook = {}) {
    auto profile = client::Profile::open(bob_dir(), kPassphrase);
    if (!profile) {
      ADD_FAILURE() << "opening bob's profile: " << profile.error().message;
      return nullptr;
    }
    auto m =
        client::Messenger::open(bob_options(std::move(hook)), std::move(profile->store), std::move(profile->state));
    if (!m) {
      ADD_FAILURE() << "opening bob: " << m.error().message;
      return nullptr;
    }
    if (auto c = (*m)->connect(); !c) {
      ADD_FAILURE() << "connecting bob: " << c.error().message;
      return nullptr;
    }
    return std::move(m).value();
  }

  // Polls until the server's queue for `m` is drained and `n` messages
  // from alice are in the history.
  void drain(client::Messenger& m, std::size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + scaled(10s);
    for (;;) {
      const auto received = bodies(m).size();
      if (m.queue_drained() && received >= n) return;
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "history has " << received << " of " << n << " messages";
      ASSERT_OK(m.poll(100ms));
    }
  }

  // The bodies received from alice, in the order stored.
  std::vector<std::string> bodies(client::Messenger& m) {
    std::vector<std::string> out;
    auto history = m.state().history("alice", 0);
    EXPECT_OK(history);
    if (history)
      for (const auto& msg : *history)
        if (msg.direction == client::MessageDirection::in) out.push_back(msg.body);
    return out;
  }

  // Runs a crash at `step` of the first envelope bob handles, then a
  // restart; checks the message is in the history once and the session
  // still works. Returns the restarted Messenger.
  std::unique_ptr<client::Messenger> crash_then_restart(client::ReceiveStep step) {
    if (!start_server()) return nullptr;
    auto alice = register_messenger("alice");
    if (!alice || !create_bob()) return nullptr;
    const std::string first = marker();
    EXPECT_OK(alice->send("bob", first));

    {
      bool crashed = false;
      auto dying = open_bob([step](client::ReceiveStep at) {
        if (at == step) throw Crash{};
      });
      if (!dying) return nullptr;
      const auto deadline = std::chrono::steady_clock::now() + scaled(10s);
      while (!crashed && std::chrono::steady_clock::now() < deadline) {
        try {
          EXPECT_OK(dying->poll(100ms));
        } catch (const Crash&) {
          crashed = true;
        }
      }
      EXPECT_TRUE(crashed) << "the envelope never reached the crash point";
    }  // the dead process's connection goes with it, unacknowledged

    auto bob = open_bob();
    if (!bob) return nullptr;
    drain(*bob, 1);
    EXPECT_EQ(bodies(*bob), std::vector<std::string>{first}) << "the message is stored exactly once";

    // The session survived: the next message decrypts, and a third process
    // gets nothing redelivered.
    const std::string second = marker();
    EXPECT_OK(alice->send("bob", second));
    drain(*bob, 2);
    EXPECT_EQ(bodies(*bob), (std::vector<std::string>{first, second}));
    EXPECT_EQ(bob->stats().decrypt_failures, 0u);
    return bob;
  }

  TestClock clock_;
};

TEST_F(PersistentClientTest, CrashAfterDecryptRedeliversAndDecryptsAsNew) {
  auto bob = crash_then_restart(client::ReceiveStep::decrypted);
  ASSERT_TRUE(bob);
  EXPECT_EQ(bob->stats().received, 2u);
  EXPECT_EQ(bob->stats().duplicates_dropped, 0u);
}

TEST_F(PersistentClientTest, CrashAfterRecordingDecryptsAgainAndDropsTheKnownId) {
  auto bob = crash_then_restart(client::ReceiveStep::message_recorded);
  ASSERT_TRUE(bob);
  // The redelivered PreKey message decrypted again (its one-time prekey was
  // still there: the session commit that consumes it had not run).
  EXPECT_EQ(bob->stats().duplicates_dropped, 1u);
  EXPECT_EQ(bob->stats().received, 1u);
}

TEST_F(PersistentClientTest, CrashAfterSessionCommitDropsTheRedeliveryAsDuplicate) {
  auto bob = crash_then_restart(client::ReceiveStep::session_committed);
  ASSERT_TRUE(bob);
  EXPECT_EQ(bob->stats().replays_dropped, 1u);
  EXPECT_EQ(bob->stats().received, 1u);
}

TEST_F(PersistentClientTest, QueuedSendSurvivesRestartAndKeepsItsId) {
  ASSERT_NE(start_server(), nullptr);
  auto alice = register_messenger("alice");
  ASSERT_TRUE(alice);
  std::optional<client::MessageId> id;
  const std::string text = marker();
  {
    auto bob = create_bob();
    ASSERT_TRUE(bob);
    auto queued = bob->enqueue("alice", text);  // never flushed: the process ends here
    ASSERT_OK(queued);
    id = *queued;
  }
  auto bob = open_bob();
  ASSERT_TRUE(bob);
  EXPECT_EQ(bob->outbox_size(), 1u);
  ASSERT_OK(bob->flush());
  EXPECT_EQ(bob->outbox_size(), 0u);
  ASSERT_OK(alice->wait_for_inbox(1, scaled(5s)));
  EXPECT_EQ(alice->inbox()[0].body, text);
  EXPECT_EQ(alice->inbox()[0].id, *id);
  auto history = bob->state().history("alice", 0);
  ASSERT_OK(history);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].direction, client::MessageDirection::out);
  EXPECT_EQ((*history)[0].id, *id);
}

TEST_F(PersistentClientTest, SignedPrekeyRotatesAndTheOldOneDecryptsUntilItsGraceEnds) {
  ASSERT_NE(start_server(), nullptr);
  auto alice = register_messenger("alice");
  ASSERT_TRUE(alice);
  ASSERT_TRUE(create_bob());
  auto published_id = [&]() -> std::uint32_t {
    auto bundles = alice->directory().fetch_bundles(alice->credentials(), "bob");
    EXPECT_OK(bundles);
    return bundles && !bundles->devices.empty() ? bundles->devices[0].signed_prekey_id : 0;
  };
  EXPECT_EQ(published_id(), 1u);

  // alice starts a session from signed prekey 1 while bob is away...
  const std::string late = marker();
  ASSERT_OK(alice->send("bob", late));

  // ...bob comes back 8 days later: connecting rotates to signed prekey 2,
  // and the PreKey message built on 1 still decrypts.
  clock_.now += 8 * kDay;
  auto bob = open_bob();
  ASSERT_TRUE(bob);
  EXPECT_EQ(bob->stats().signed_prekey_rotations, 1u);
  EXPECT_EQ(published_id(), 2u);
  drain(*bob, 1);
  EXPECT_EQ(bodies(*bob), std::vector<std::string>{late});
  auto old_key = bob->store().load_signed_prekey(1);
  ASSERT_OK(old_key);
  EXPECT_TRUE(old_key->has_value()) << "signed prekey 1 is still in its grace period";

  // 31 days after the rotation: 2 is replaced by 3, and 1, retired 31
  // days ago, is deleted; 2 is kept for its own grace period.
  clock_.now += 31 * kDay;
  bob.reset();
  bob = open_bob();
  ASSERT_TRUE(bob);
  EXPECT_EQ(published_id(), 3u);
  for (std::uint32_t id : {1u, 2u, 3u}) {
    auto key = bob->store().load_signed_prekey(id);
    ASSERT_OK(key);
    EXPECT_EQ(key->has_value(), id != 1) << "signed prekey " << id;
  }
}

// `hush listen` in one terminal, `hush send` in another: two Messengers on
// one profile, one receiving from alice while the other sends to her. Both
// read-modify-write the session with alice; without the profile lock one
// would overwrite the other's ratchet step (a lost chain key: alice would
// fail to decrypt, or bob would drop messages as duplicates).
TEST_F(PersistentClientTest, TwoMessengersOnOneProfileTakeTurnsOnTheSession) {
  ASSERT_NE(start_server(), nullptr);
  auto alice = register_messenger("alice");
  ASSERT_TRUE(alice);
  ASSERT_TRUE(create_bob());
  // A slow disk, as far as the listener is concerned: its window between
  // loading the session and writing it back is wide open.
  auto listener = open_bob([](client::ReceiveStep step) {
    if (step == client::ReceiveStep::message_recorded) std::this_thread::sleep_for(3ms);
  });
  auto sender = open_bob();
  ASSERT_TRUE(listener && sender);
  // Sessions both ways first, so the storm below is all ratchet steps.
  ASSERT_OK(alice->send("bob", marker()));
  drain(*listener, 1);
  ASSERT_OK(sender->send("alice", marker()));
  ASSERT_OK(alice->wait_for_inbox(1, scaled(5s)));

  constexpr int kEach = 25;
  const auto deadline = std::chrono::steady_clock::now() + scaled(30s);
  std::atomic<bool> failed{false};
  std::string sender_error, listener_error;
  std::thread send_thread([&] {
    for (int i = 0; i < kEach && !failed; ++i)
      if (auto r = sender->send("alice", "from bob " + std::to_string(i)); !r) {
        sender_error = r.error().message;
        failed = true;
      }
  });
  std::thread listen_thread([&] {
    while (!failed && std::chrono::steady_clock::now() < deadline) {
      if (bodies(*listener).size() >= kEach + 1u) return;
      if (auto r = listener->poll(20ms); !r) {
        listener_error = r.error().message;
        failed = true;
      }
    }
  });
  // alice does not read while she sends: all her messages share one
  // ratchet key, so bob's decrypts advance the same receiving chain while
  // his sends advance the same sending chain, and an unserialized
  // read-modify-write would revert one of them.
  for (int i = 0; i < kEach && !failed; ++i) ASSERT_OK(alice->send("bob", "from alice " + std::to_string(i)));
  send_thread.join();
  listen_thread.join();
  ASSERT_FALSE(failed) << "sender: " << sender_error << "; listener: " << listener_error;
  ASSERT_OK(alice->wait_for_inbox(kEach + 1, scaled(10s)));

  EXPECT_EQ(alice->stats().decrypt_failures, 0u);
  EXPECT_EQ(alice->stats().replays_dropped, 0u);
  EXPECT_EQ(listener->stats().decrypt_failures, 0u);
  EXPECT_EQ(listener->stats().replays_dropped, 0u);
  const auto got = bodies(*listener);
  ASSERT_EQ(got.size(), kEach + 1u);
  for (int i = 0; i < kEach; ++i) EXPECT_EQ(got[static_cast<std::size_t>(i) + 1], "from alice " + std::to_string(i));
  for (int i = 0; i < kEach; ++i)
    EXPECT_EQ(alice->inbox()[static_cast<std::size_t>(i) + 1].body, "from bob " + std::to_string(i));
}

}  // namespace
}  // namespace hush::e2e
