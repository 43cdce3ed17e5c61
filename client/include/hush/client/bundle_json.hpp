// The bundle answer of GET /v1/keys/USER/... (docs/API.md) as libhush
// PreKeyBundles.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hush/prekeys.hpp"
#include "hush/result.hpp"

namespace hush::client {

struct UserBundles {
  std::string username;
  IdentityKey identity_key;
  std::vector<PreKeyBundle> devices;  // in the server's order; identity_key filled in each
};

// Parses and checks the JSON text of a bundle answer. Errors:
// invalid_message (not JSON, a missing field or a wrong type, bad base64, a
// device without a signed prekey), invalid_key (a key that does not parse,
// a signature that is not 64 bytes).
Result<UserBundles> parse_bundles(std::string_view json_text);

}  // namespace hush::client
