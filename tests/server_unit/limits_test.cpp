// Token buckets and connection counting.
#include <gtest/gtest.h>

#include "auth/connection_limiter.hpp"
#include "auth/rate_limiter.hpp"

namespace hush::server {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiterTest, BurstThenRetryAfterThenRefill) {
  RateLimiter limiter(TokenBucketConfig{3, 0.5});
  const SteadyTime t0{};
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.take("a", t0).allowed);
  auto denied = limiter.take("a", t0);
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.retry_after, 2s);  // one token at 0.5/s
  EXPECT_TRUE(limiter.take("b", t0).allowed) << "keys are independent";
  EXPECT_FALSE(limiter.take("a", t0 + 1s).allowed);
  EXPECT_TRUE(limiter.take("a", t0 + 2s).allowed);
}

TEST(RateLimiterTest, CheckDoesNotSpend) {
  RateLimiter limiter(TokenBucketConfig{1, 1});
  const SteadyTime t0{};
  EXPECT_TRUE(limiter.check("a", t0).allowed);
  EXPECT_TRUE(limiter.check("a", t0).allowed);
  EXPECT_EQ(limiter.size(), 0u) << "checking an unknown key creates nothing";
  EXPECT_TRUE(limiter.take("a", t0).allowed);
  EXPECT_FALSE(limiter.check("a", t0).allowed);
}

TEST(RateLimiterTest, MemoryIsBounded) {
  RateLimiter limiter(TokenBucketConfig{2, 1}, 100);
  SteadyTime t{};
  for (int i = 0; i < 1000; ++i) (void)limiter.take("k" + std::to_string(i), t);
  EXPECT_LE(limiter.size(), 100u);
  // Idle buckets are dropped first: after a refill all of them are full.
  t += 10s;
  (void)limiter.take("new", t);
  EXPECT_LE(limiter.size(), 100u);
}

TEST(RateLimiterTest, ZeroRateNeverRefills) {
  RateLimiter limiter(TokenBucketConfig{1, 0});
  EXPECT_TRUE(limiter.take("a", SteadyTime{}).allowed);
  EXPECT_FALSE(limiter.take("a", SteadyTime{} + 1000s).allowed);
}

TEST(ConnectionLimiterTest, TicketsHoldAndReleaseSlots) {
  auto limiter = std::make_shared<ConnectionLimiter>(2);
  {
    auto a = limiter->acquire("1.2.3.4");
    auto b = limiter->acquire("1.2.3.4");
    auto c = limiter->acquire("1.2.3.4");
    EXPECT_TRUE(a.admitted());
    EXPECT_TRUE(b.admitted());
    EXPECT_FALSE(c.admitted());
    EXPECT_TRUE(limiter->acquire("5.6.7.8").admitted());
    ConnectionTicket moved = std::move(a);
    EXPECT_EQ(limiter->count("1.2.3.4"), 2u) << "moving a ticket keeps its one slot";
  }
  EXPECT_EQ(limiter->count("1.2.3.4"), 0u);
  EXPECT_EQ(limiter->count("5.6.7.8"), 0u);
}

}  // namespace
}  // namespace hush::server
