// Many clients fetch one device's bundle at once while it has few one-time
// prekeys: each prekey is handed out at most once, every fetch still gets a
// usable bundle, and a session built without a one-time prekey works.
#include <latch>
#include <set>
#include <thread>

#include "e2e_test.hpp"

namespace hush::e2e {
namespace {

using PrekeyClaimsTest = E2eTest;

TEST_F(PrekeyClaimsTest, ConcurrentFetchesNeverHandOutAPrekeyTwice) {
  ASSERT_NE(start_server(), nullptr);
  constexpr std::uint32_t kPrekeys = 10;
  constexpr int kFetchers = 12;
  constexpr int kFetchesEach = 3;
  auto bob = register_messenger("bob", /*connect=*/false, kPrekeys);
  ASSERT_TRUE(bob);
  std::vector<std::unique_ptr<client::Messenger>> fetchers;
  for (int i = 0; i < kFetchers; ++i) {
    fetchers.push_back(register_messenger("fetcher" + std::to_string(i), false, 1));
    ASSERT_TRUE(fetchers.back());
  }

  struct Fetch {
    bool ok = false;
    std::string error;
    std::optional<std::uint32_t> prekey_id;
  };
  std::vector<std::vector<Fetch>> results(kFetchers, std::vector<Fetch>(kFetchesEach));
  std::latch go(kFetchers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kFetchers; ++i) {
    threads.emplace_back([&, i] {
      client::Messenger& f = *fetchers[i];
      go.arrive_and_wait();  // all at once
      for (int k = 0; k < kFetchesEach; ++k) {
        auto bundles = f.directory().fetch_bundles(f.credentials(), "bob", k % 2 == 0 ? std::optional<std::uint32_t>(1)
                                                                                        : std::nullopt);
        Fetch& out = results[i][k];
        if (!bundles) {
          out.error = bundles.error().message;
          continue;
        }
        out.ok = bundles->devices.size() == 1 && bundles->devices[0].device_id == 1;
        out.prekey_id = bundles->devices.empty() ? std::nullopt : bundles->devices[0].prekey_id;
      }
    });
  }
  for (auto& t : threads) t.join();

  std::multiset<std::uint32_t> handed_out;
  for (const auto& per_fetcher : results) {
    for (const auto& fetch : per_fetcher) {
      EXPECT_TRUE(fetch.ok) << fetch.error;
      if (fetch.prekey_id) handed_out.insert(*fetch.prekey_id);
    }
  }
  EXPECT_EQ(handed_out.size(), kPrekeys) << "36 fetches for 10 prekeys: each prekey exactly once";
  EXPECT_EQ(std::set<std::uint32_t>(handed_out.begin(), handed_out.end()).size(), handed_out.size())
      << "a prekey was handed out twice";
  for (std::uint32_t id : handed_out) EXPECT_TRUE(id >= 1 && id <= kPrekeys) << "unknown prekey id " << id;
  auto left = bob->directory().prekey_count(bob->credentials());
  ASSERT_OK(left);
  EXPECT_EQ(*left, 0u);

  // With the prekeys gone, X3DH runs without a one-time prekey, and Bob,
  // told to replenish (PrekeysLow), uploads more.
  auto alice = register_messenger("alice");
  ASSERT_TRUE(alice);
  const std::string text = marker();
  ASSERT_OK(alice->send("bob", text));
  ASSERT_OK(bob->connect());
  ASSERT_OK(bob->wait_for_inbox(1, scaled(5s)));
  EXPECT_EQ(bob->inbox()[0].body, text);
  for (int i = 0; i < 20 && bob->stats().prekey_uploads == 0; ++i) ASSERT_OK(bob->poll(100ms));
  EXPECT_GE(bob->stats().prekey_uploads, 1u) << "no PrekeysLow push, or no upload after it";
}

}  // namespace
}  // namespace hush::e2e
