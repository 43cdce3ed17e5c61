// Checks a request's Basic credentials against the stored SHA-256 of the
// device secret, in constant time. Failures are counted per client address
// in a token bucket; an address whose bucket is empty gets 429 (with
// Retry-After) before its credentials are even looked at.
//
// Thread safety: any thread. authenticate() may block on the Db (call it on
// the BlockingPool).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "auth/rate_limiter.hpp"
#include "directory/account_cache.hpp"
#include "metrics/metrics.hpp"

namespace hush::server {

struct AuthenticatedDevice {
  AccountPtr account;
  std::uint32_t device_id = 0;
  const std::string& username() const { return account->username; }
};

struct AuthOutcome {
  std::uint32_t status = 200;  // 200, 401, 429, 500
  std::chrono::seconds retry_after{0};
  std::optional<AuthenticatedDevice> device;
};

class Authenticator {
 public:
  Authenticator(AccountCache& accounts, const Limits& limits, Metrics& metrics)
      : accounts_(accounts), failures_(limits.auth_failures), metrics_(metrics) {}

  // `header`: the Authorization value ("" when absent).
  AuthOutcome authenticate(std::string_view header, const std::string& client_address);

  // Counts a failure of another kind of secret (an invite) for `client_address`.
  void record_failure(const std::string& client_address);
  // 429 when `client_address` has used up its failures.
  RateDecision check_address(const std::string& client_address);

 private:
  AccountCache& accounts_;
  RateLimiter failures_;
  Metrics& metrics_;
};

}  // namespace hush::server
