// Accounts, devices and the key directory (docs/API.md), as blocking calls
// over the Db: run them on the BlockingPool. Each returns the HTTP answer.
#pragma once

#include <optional>
#include <string>

#include "auth/authenticator.hpp"
#include "auth/rate_limiter.hpp"
#include "config/server_config.hpp"
#include "directory/account_cache.hpp"
#include "fanout/fanout.hpp"
#include "http/http_types.hpp"
#include "metrics/metrics.hpp"

namespace hush::server {

class DirectoryService {
 public:
  DirectoryService(const ServerConfig& config, Db& db, AccountCache& accounts, Authenticator& auth, Fanout& fanout,
                   Metrics& metrics)
      : config_(config),
        db_(db),
        accounts_(accounts),
        auth_(auth),
        fanout_(fanout),
        metrics_(metrics),
        bundle_limiter_(config.limits.bundle_fetches) {}

  HttpAnswer register_account(std::string_view body, const std::string& client_address);
  HttpAnswer add_device(const AuthenticatedDevice& caller, std::string_view body);
  HttpAnswer set_signed_prekey(const AuthenticatedDevice& caller, std::string_view body);
  HttpAnswer add_prekeys(const AuthenticatedDevice& caller, std::string_view body);
  HttpAnswer prekey_count(const AuthenticatedDevice& caller);
  // `device`: nullopt for every device ("*").
  HttpAnswer fetch_bundles(const AuthenticatedDevice& caller, const std::string& username,
                           std::optional<std::uint32_t> device);

  // The device's one-time prekey count when it is below the threshold
  // (nullopt otherwise or on a storage failure). A connecting device asks
  // this for itself.
  std::optional<std::uint32_t> low_prekey_count(std::int64_t account_id, std::uint32_t device_id);
  // Tells every connection of the device when its count is below the
  // threshold; used after a claim.
  void check_prekeys_low(std::int64_t account_id, const std::string& username, std::uint32_t device_id);

 private:
  const ServerConfig& config_;
  Db& db_;
  AccountCache& accounts_;
  Authenticator& auth_;
  Fanout& fanout_;
  Metrics& metrics_;
  RateLimiter bundle_limiter_;
};

}  // namespace hush::server
