// Token buckets keyed by a string (client address, requesting device).
// take() spends one token; when the bucket is empty it says how long until
// the next token, which becomes the Retry-After of the 429.
//
// Memory is bounded: past `max_keys` buckets, full (idle) buckets are
// dropped; if none are, the map is cleared, which errs towards letting
// requests through rather than growing without bound.
// Thread safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.hpp"
#include "config/server_config.hpp"

namespace hush::server {

struct RateDecision {
  bool allowed = true;
  std::chrono::seconds retry_after{0};  // ≥ 1 s when !allowed
};

class RateLimiter {
 public:
  explicit RateLimiter(TokenBucketConfig config, std::size_t max_keys = 100'000);

  // Spends one token of `key`'s bucket if it has one.
  RateDecision take(std::string_view key, SteadyTime now);
  // Whether `key` has a token, without spending it.
  RateDecision check(std::string_view key, SteadyTime now);

  std::size_t size() const;

 private:
  struct Bucket {
    double tokens;
    SteadyTime updated;
  };
  RateDecision decide(std::string_view key, SteadyTime now, bool spend);
  void refill(Bucket& b, SteadyTime now) const;
  void evict_idle(SteadyTime now);

  const TokenBucketConfig config_;
  const std::size_t max_keys_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;  // guarded by mutex_
};

}  // namespace hush::server
