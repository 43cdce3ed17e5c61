// Usernames (docs/API.md): 3–32 characters of a-z 0-9 _ . -, starting with
// a letter, compared exactly. Validating before any lookup keeps odd bytes
// out of the database, the logs and error messages.
#pragma once

#include <string_view>

#include "hush/result.hpp"

namespace hush::server {

inline constexpr std::size_t kMinUsernameLength = 3;
inline constexpr std::size_t kMaxUsernameLength = 32;

// bad_request with a message a user can act on ("username must start with a letter").
Result<void> validate_username(std::string_view name);

}  // namespace hush::server
