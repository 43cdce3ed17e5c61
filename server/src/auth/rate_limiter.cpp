#include "auth/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace hush::server {

RateLimiter::RateLimiter(TokenBucketConfig config, std::size_t max_keys)
    : config_(config), max_keys_(max_keys == 0 ? 1 : max_keys) {}

RateDecision RateLimiter::take(std::string_view key, SteadyTime now) { return decide(key, now, true); }

RateDecision RateLimiter::check(std::string_view key, SteadyTime now) { return decide(key, now, false); }

std::size_t RateLimiter::size() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

void RateLimiter::refill(Bucket& b, SteadyTime now) const {
  if (now > b.updated) {
    const double elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(config_.burst, b.tokens + elapsed * config_.per_second);
    b.updated = now;
  }
}

void RateLimiter::evict_idle(SteadyTime now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    refill(it->second, now);
    if (it->second.tokens >= config_.burst) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
  if (buckets_.size() >= max_keys_) buckets_.clear();
}

RateDecision RateLimiter::decide(std::string_view key, SteadyTime now, bool spend) {
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (!spend) return {};
    if (buckets_.size() >= max_keys_) evict_idle(now);
    it = buckets_.emplace(std::string(key), Bucket{config_.burst, now}).first;
  } else {
    refill(it->second, now);
  }
  Bucket& b = it->second;
  if (b.tokens >= 1.0) {
    if (spend) b.tokens -= 1.0;
    return {};
  }
  const double wait = config_.per_second > 0 ? (1.0 - b.tokens) / config_.per_second : 3600.0;
  const auto secs = static_cast<std::int64_t>(std::ceil(std::max(wait, 1.0)));
  return {false, std::chrono::seconds(secs)};
}

}  // namespace hush::server
