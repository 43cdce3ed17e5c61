#include "directory/directory_service.hpp"

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/encoding.hpp"
#include "common/log.hpp"
#include "directory/json_requests.hpp"
#include "directory/username.hpp"
#include "hush/keys.hpp"

namespace hush::server {
namespace {

HttpAnswer storage_failure(std::string_view what, const Error& e) {
  log::error("storage_failure", {{"op", what}, {"error", e.message}});
  return error_answer(500, "storage failure");
}

HttpAnswer bad_request(const Error& e) { return error_answer(400, e.message); }

}  // namespace

HttpAnswer DirectoryService::register_account(std::string_view body, const std::string& client_address) {
  auto req = parse_register_account(body);
  if (!req.ok()) return bad_request(req.error());
  if (auto v = validate_username(req->username); !v.ok()) return bad_request(v.error());
  std::optional<SecretHash> invite;
  if (req->invite) {
    invite = sha256(as_bytes(*req->invite));
  } else if (!config_.open_registration) {
    return error_answer(403, "registration requires an invite");
  }
  if (invite) {
    // Invites are secrets: guessing them counts like failed authentication.
    if (auto limited = auth_.check_address(client_address); !limited.allowed) {
      metrics_.rate_limited.fetch_add(1, std::memory_order_relaxed);
      auto a = error_answer(429, "too many failed attempts");
      a.retry_after = static_cast<std::uint32_t>(limited.retry_after.count());
      return a;
    }
  }
  DeviceRecord first;
  first.device_id = 1;
  first.registration_id = req->registration_id;
  first.secret_hash = req->secret_hash;
  first.created_ms = unix_now_ms();
  // In open registration an invite is ignored rather than consumed.
  const auto& use_invite = config_.open_registration ? std::optional<SecretHash>() : invite;
  auto created = db_.create_account(req->username, req->identity_key, first, use_invite, first.created_ms);
  if (!created.ok()) {
    switch (db_error(created.error())) {
      case DbError::username_taken:
        return error_answer(409, "username taken");
      case DbError::invalid_invite:
        auth_.record_failure(client_address);
        return error_answer(403, "invalid, expired or used invite");
      default:
        return storage_failure("create_account", created.error());
    }
  }
  metrics_.registrations.fetch_add(1, std::memory_order_relaxed);
  log::info("account_created", {{"user", created->username}});
  const std::string username = created->username;
  accounts_.put(std::move(*created));
  return json_answer(201, {{"username", username}, {"device_id", 1}});
}

HttpAnswer DirectoryService::add_device(const AuthenticatedDevice& caller, std::string_view body) {
  auto req = parse_add_device(body);
  if (!req.ok()) return bad_request(req.error());
  // Re-read: the cached record may predate a device added through another request.
  auto current = db_.find_account(caller.username());
  if (!current.ok()) return storage_failure("find_account", current.error());
  if (!*current) return error_answer(404, "account not found");
  if ((*current)->devices.size() >= config_.limits.max_devices_per_account) {
    return error_answer(403, "device limit of " + std::to_string(config_.limits.max_devices_per_account) +
                                 " reached");
  }
  DeviceRecord device;
  device.registration_id = req->registration_id;
  device.secret_hash = req->secret_hash;
  device.created_ms = unix_now_ms();
  auto id = db_.add_device(caller.account->account_id, device);
  if (!id.ok()) return storage_failure("add_device", id.error());
  if (auto fresh = db_.find_account(caller.username()); fresh.ok() && *fresh) accounts_.put(std::move(**fresh));
  metrics_.registrations.fetch_add(1, std::memory_order_relaxed);
  log::info("device_added", {{"user", caller.username()}, {"device", *id}});
  return json_answer(201, {{"device_id", *id}});
}

HttpAnswer DirectoryService::set_signed_prekey(const AuthenticatedDevice& caller, std::string_view body) {
  auto key = parse_signed_prekey(body);
  if (!key.ok()) return bad_request(key.error());
  auto identity = PublicKey::deserialize(caller.account->identity_key);
  if (!identity.ok() || !identity->verify(key->public_key, key->signature)) {
    return error_answer(422, "signature does not verify under the account identity key");
  }
  auto r = db_.set_signed_prekey(caller.account->account_id, caller.device_id, *key);
  if (!r.ok()) return storage_failure("set_signed_prekey", r.error());
  return no_content();
}

HttpAnswer DirectoryService::add_prekeys(const AuthenticatedDevice& caller, std::string_view body) {
  auto upload = parse_prekeys(body, config_.limits.max_prekeys_per_request);
  if (!upload.ok()) return bad_request(upload.error());
  auto r = db_.add_prekeys(caller.account->account_id, caller.device_id, upload->prekeys,
                           config_.limits.max_prekeys_stored);
  if (!r.ok()) {
    if (db_error(r.error()) == DbError::too_many_prekeys) {
      return error_answer(400, "a device holds at most " + std::to_string(config_.limits.max_prekeys_stored) +
                                   " one-time prekeys");
    }
    return storage_failure("add_prekeys", r.error());
  }
  return no_content();
}

HttpAnswer DirectoryService::prekey_count(const AuthenticatedDevice& caller) {
  auto n = db_.prekey_count(caller.account->account_id, caller.device_id);
  if (!n.ok()) return storage_failure("prekey_count", n.error());
  return json_answer(200, {{"count", *n}});
}

std::optional<std::uint32_t> DirectoryService::low_prekey_count(std::int64_t account_id, std::uint32_t device_id) {
  auto n = db_.prekey_count(account_id, device_id);
  if (!n.ok()) {
    log::warn("prekey_count_failed", {{"error", n.error().message}});
    return std::nullopt;
  }
  if (*n < config_.limits.prekey_low_threshold) return *n;
  return std::nullopt;
}

void DirectoryService::check_prekeys_low(std::int64_t account_id, const std::string& username,
                                         std::uint32_t device_id) {
  if (auto n = low_prekey_count(account_id, device_id)) fanout_.publish_prekeys_low(DeviceKey{username, device_id}, *n);
}

HttpAnswer DirectoryService::fetch_bundles(const AuthenticatedDevice& caller, const std::string& username,
                                           std::optional<std::uint32_t> device) {
  const std::string requester = caller.username() + "." + std::to_string(caller.device_id);
  if (auto limited = bundle_limiter_.take(requester, SteadyClock::now()); !limited.allowed) {
    metrics_.rate_limited.fetch_add(1, std::memory_order_relaxed);
    auto a = error_answer(429, "too many bundle fetches");
    a.retry_after = static_cast<std::uint32_t>(limited.retry_after.count());
    return a;
  }
  if (!validate_username(username).ok()) return error_answer(404, "unknown user");
  auto account = accounts_.get(username);
  if (!account.ok()) return storage_failure("find_account", account.error());
  if (!*account) return error_answer(404, "unknown user");
  const AccountRecord& target = **account;
  std::vector<std::uint32_t> ids;
  for (const auto& d : target.devices) {
    if (!device || d.device_id == *device) ids.push_back(d.device_id);
  }
  if (ids.empty()) return error_answer(404, "unknown device");
  auto bundles = db_.claim_bundles(target.account_id, ids);
  if (!bundles.ok()) return storage_failure("claim_bundles", bundles.error());
  metrics_.bundle_fetches.fetch_add(1, std::memory_order_relaxed);

  nlohmann::json devices = nlohmann::json::array();
  for (const auto& b : *bundles) {
    nlohmann::json d = {{"device_id", b.device_id}, {"registration_id", b.registration_id}};
    if (b.signed_prekey) {
      d["signed_prekey"] = {{"key_id", b.signed_prekey->key_id},
                            {"public_key", base64_encode(b.signed_prekey->public_key)},
                            {"signature", base64_encode(b.signed_prekey->signature)}};
    } else {
      d["signed_prekey"] = nullptr;
    }
    if (b.prekey) {
      d["prekey"] = {{"key_id", b.prekey->key_id}, {"public_key", base64_encode(b.prekey->public_key)}};
    } else {
      d["prekey"] = nullptr;
    }
    devices.push_back(std::move(d));
    if (b.prekey) check_prekeys_low(target.account_id, target.username, b.device_id);
  }
  return json_answer(200, {{"username", target.username},
                           {"identity_key", base64_encode(target.identity_key)},
                           {"devices", std::move(devices)}});
}

}  // namespace hush::server
