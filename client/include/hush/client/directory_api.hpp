// hushd's account and key-directory endpoints (docs/API.md "HTTP endpoints")
// as typed calls over an HttpClient.
//
// Errors: Errc::storage for transport failures (see HttpClient::request);
// for an answer with an unexpected status, Errc::invalid_signature on 422,
// Errc::storage on 5xx and Errc::bad_request otherwise, with the status and
// the server's error code in the message; Errc::invalid_message or
// invalid_key for a success answer that does not parse. last_status() tells
// the status of the latest answer (0 after a transport failure), for callers
// that react to 409 or 429.
//
// Thread safety: none; one DirectoryApi per thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hush/client/bundle_json.hpp"
#include "hush/client/endpoint.hpp"
#include "hush/client/http_client.hpp"
#include "hush/prekeys.hpp"

namespace hush::client {

struct AccountRequest {
  std::string username;
  std::optional<std::string> invite;  // required unless the server has open registration
  IdentityKey identity_key;
  std::uint32_t registration_id = 0;
};

class DirectoryApi {
 public:
  explicit DirectoryApi(Endpoint endpoint) : http_(std::move(endpoint)) {}

  HttpClient& http() noexcept { return http_; }
  unsigned last_status() const noexcept { return last_status_; }

  // GET /healthz answered 200.
  Result<void> healthz();
  // POST /v1/accounts; returns the new device id (1). The secret is sent
  // once and never again except inside Authorization headers.
  Result<std::uint32_t> register_account(const AccountRequest& account, const Secret<32>& device_secret);
  // POST /v1/devices: a new device of auth's account; returns its id.
  Result<std::uint32_t> add_device(const Credentials& auth, std::uint32_t registration_id,
                                   const Secret<32>& device_secret);
  // PUT /v1/keys/signed.
  Result<void> upload_signed_prekey(const Credentials& auth, const SignedPreKeyRecord& key);
  // POST /v1/keys/prekeys, in requests of at most 100 keys.
  Result<void> upload_prekeys(const Credentials& auth, const std::vector<PreKeyRecord>& keys);
  // GET /v1/keys/count.
  Result<std::uint32_t> prekey_count(const Credentials& auth);
  // GET /v1/keys/USER/DEVICE, or /v1/keys/USER/* when device is absent.
  // Each device's bundle claims one of its one-time prekeys on the server.
  Result<UserBundles> fetch_bundles(const Credentials& auth, const std::string& username,
                                    std::optional<std::uint32_t> device = std::nullopt);

 private:
  // Sends and checks for `expected`; the answer body on success.
  Result<std::string> call(std::string_view method, const std::string& target,
                           const std::optional<std::string>& body, const Credentials* auth, unsigned expected);

  HttpClient http_;
  unsigned last_status_ = 0;
};

}  // namespace hush::client
