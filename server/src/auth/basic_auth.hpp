// Parses `Authorization: Basic base64("USERNAME.DEVICE_ID:BASE64(SECRET)")`
// (docs/API.md). The username may itself contain dots, so the device id is
// what follows the last dot before the colon.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hush/bytes.hpp"

namespace hush::server {

inline constexpr std::size_t kDeviceSecretSize = 32;

struct BasicCredentials {
  std::string username;
  std::uint32_t device_id = 0;
  Secret<kDeviceSecretSize> secret;
};

// nullopt for anything malformed: no "Basic " scheme, bad base64, no colon,
// no device id, device id 0 or not a number, a secret that is not exactly 32
// bytes. Does not validate the username charset (the lookup fails instead).
std::optional<BasicCredentials> parse_basic_auth(std::string_view header);

// Parses a decimal device id in 1..2^31-1; nullopt otherwise.
std::optional<std::uint32_t> parse_device_id(std::string_view text);

}  // namespace hush::server
