// The JSON bodies of docs/API.md, parsed and checked field by field. Every
// failure is bad_request with a message naming the field, never echoing the
// input (which may be binary or a secret).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/basic_auth.hpp"
#include "db/db.hpp"
#include "hush/result.hpp"

namespace hush::server {

struct RegisterAccountRequest {
  std::string username;
  std::optional<std::string> invite;
  Bytes identity_key;  // 33 bytes, a valid public key
  std::uint32_t registration_id = 0;
  SecretHash secret_hash{};  // SHA-256 of the 32-byte device secret
};

struct AddDeviceRequest {
  std::uint32_t registration_id = 0;
  SecretHash secret_hash{};
};

struct PreKeysUpload {
  std::vector<PreKeyEntry> prekeys;
};

Result<RegisterAccountRequest> parse_register_account(std::string_view body);
Result<AddDeviceRequest> parse_add_device(std::string_view body);
Result<SignedPreKeyEntry> parse_signed_prekey(std::string_view body);
// At most `max_per_request` keys, ids unique within the request.
Result<PreKeysUpload> parse_prekeys(std::string_view body, std::size_t max_per_request);

}  // namespace hush::server
