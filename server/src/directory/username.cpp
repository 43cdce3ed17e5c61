#include "directory/username.hpp"

#include <string>

namespace hush::server {

Result<void> validate_username(std::string_view name) {
  if (name.size() < kMinUsernameLength || name.size() > kMaxUsernameLength) {
    return make_error(Errc::bad_request, "username must be " + std::to_string(kMinUsernameLength) + " to " +
                                             std::to_string(kMaxUsernameLength) + " characters");
  }
  if (name[0] < 'a' || name[0] > 'z') {
    return make_error(Errc::bad_request, "username must start with a lowercase letter");
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return make_error(Errc::bad_request, "username may contain only a-z, 0-9, '_', '.' and '-'");
  }
  return Ok{};
}

}  // namespace hush::server
