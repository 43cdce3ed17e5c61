#include "hush/client/directory_api.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "hush/client/base64.hpp"

namespace hush::client {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxPrekeysPerRequest = 100;  // docs/API.md: POST /v1/keys/prekeys

Error unexpected_status(const HttpResponse& r, std::string_view what) {
  const Errc code = r.status == 422 ? Errc::invalid_signature : r.status >= 500 ? Errc::storage : Errc::bad_request;
  std::string msg = std::string(what) + ": HTTP " + std::to_string(r.status);
  if (auto e = r.error_code(); !e.empty()) msg += " " + e;
  return make_error(code, std::move(msg));
}

Result<json> parse_object(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error(Errc::invalid_message, "answer is not a JSON object");
  return j;
}

Result<std::uint32_t> u32_field(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned() || it->get<std::uint64_t>() > 0xffffffffu)
    return make_error(Errc::invalid_message, std::string("answer has no valid ") + key);
  return it->get<std::uint32_t>();
}

std::string key_b64(const PublicKey& k) {
  const auto s = k.serialize();
  return base64_encode(s);
}

}  // namespace

Result<std::string> DirectoryApi::call(std::string_view method, const std::string& target,
                                       const std::optional<std::string>& body, const Credentials* auth,
                                       unsigned expected) {
  auto r = http_.request(method, target, body, auth);
  if (!r) {
    last_status_ = 0;
    return std::move(r).error();
  }
  last_status_ = r->status;
  if (r->status != expected) return unexpected_status(*r, std::string(method) + " " + target);
  return std::move(r->body);
}

Result<void> DirectoryApi::healthz() {
  HUSH_TRY(call("GET", "/healthz", std::nullopt, nullptr, 200));
  return Ok{};
}

Result<std::uint32_t> DirectoryApi::register_account(const AccountRequest& account, const Secret<32>& device_secret) {
  json j{{"username", account.username},
         {"identity_key", key_b64(account.identity_key)},
         {"registration_id", account.registration_id},
         {"device_secret", base64_encode(device_secret.view())}};
  if (account.invite) j["invite"] = *account.invite;
  HUSH_ASSIGN(std::string body, call("POST", "/v1/accounts", j.dump(), nullptr, 201));
  HUSH_ASSIGN(json answer, parse_object(body));
  return u32_field(answer, "device_id");
}

Result<std::uint32_t> DirectoryApi::add_device(const Credentials& auth, std::uint32_t registration_id,
                                               const Secret<32>& device_secret) {
  json j{{"registration_id", registration_id}, {"device_secret", base64_encode(device_secret.view())}};
  HUSH_ASSIGN(std::string body, call("POST", "/v1/devices", j.dump(), &auth, 201));
  HUSH_ASSIGN(json answer, parse_object(body));
  return u32_field(answer, "device_id");
}

Result<void> DirectoryApi::upload_signed_prekey(const Credentials& auth, const SignedPreKeyRecord& key) {
  json j{{"key_id", key.id},
         {"public_key", key_b64(key.key_pair.public_key)},
         {"signature", base64_encode(key.signature)}};
  HUSH_TRY(call("PUT", "/v1/keys/signed", j.dump(), &auth, 204));
  return Ok{};
}

Result<void> DirectoryApi::upload_prekeys(const Credentials& auth, const std::vector<PreKeyRecord>& keys) {
  for (std::size_t start = 0; start < keys.size(); start += kMaxPrekeysPerRequest) {
    json list = json::array();
    for (std::size_t i = start; i < std::min(keys.size(), start + kMaxPrekeysPerRequest); ++i)
      list.push_back({{"key_id", keys[i].id}, {"public_key", key_b64(keys[i].key_pair.public_key)}});
    HUSH_TRY(call("POST", "/v1/keys/prekeys", json{{"prekeys", std::move(list)}}.dump(), &auth, 204));
  }
  return Ok{};
}

Result<std::uint32_t> DirectoryApi::prekey_count(const Credentials& auth) {
  HUSH_ASSIGN(std::string body, call("GET", "/v1/keys/count", std::nullopt, &auth, 200));
  HUSH_ASSIGN(json answer, parse_object(body));
  return u32_field(answer, "count");
}

Result<UserBundles> DirectoryApi::fetch_bundles(const Credentials& auth, const std::string& username,
                                                std::optional<std::uint32_t> device) {
  const std::string target = "/v1/keys/" + username + "/" + (device ? std::to_string(*device) : "*");
  HUSH_ASSIGN(std::string body, call("GET", target, std::nullopt, &auth, 200));
  return parse_bundles(body);
}

}  // namespace hush::client
