#include "auth/authenticator.hpp"

#include "auth/basic_auth.hpp"
#include "common/encoding.hpp"
#include "common/log.hpp"
#include "directory/username.hpp"

namespace hush::server {

void Authenticator::record_failure(const std::string& client_address) {
  metrics_.auth_failures.fetch_add(1, std::memory_order_relaxed);
  (void)failures_.take(client_address, SteadyClock::now());
}

RateDecision Authenticator::check_address(const std::string& client_address) {
  return failures_.check(client_address, SteadyClock::now());
}

AuthOutcome Authenticator::authenticate(std::string_view header, const std::string& client_address) {
  AuthOutcome out;
  if (auto limited = check_address(client_address); !limited.allowed) {
    metrics_.rate_limited.fetch_add(1, std::memory_order_relaxed);
    out.status = 429;
    out.retry_after = limited.retry_after;
    return out;
  }
  auto fail = [&] {
    record_failure(client_address);
    out.status = 401;
    return out;
  };
  auto credentials = parse_basic_auth(header);
  if (!credentials || !validate_username(credentials->username).ok()) return fail();
  auto account = accounts_.get(credentials->username);
  if (!account.ok()) {
    log::error("auth_lookup_failed", {{"error", account.error().message}});
    out.status = 500;
    return out;
  }
  if (!*account) return fail();
  const SecretHash presented = sha256(credentials->secret.view());
  for (const auto& d : (*account)->devices) {
    if (d.device_id == credentials->device_id) {
      if (!ct_equal(presented, d.secret_hash)) return fail();
      out.device = AuthenticatedDevice{*account, d.device_id};
      return out;
    }
  }
  return fail();
}

}  // namespace hush::server
