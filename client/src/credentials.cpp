#include "hush/client/base64.hpp"
#include "hush/client/endpoint.hpp"

namespace hush::client {

std::string Credentials::basic_auth() const {
  const std::string user_pass = username + "." + std::to_string(device_id) + ":" + base64_encode(secret.view());
  return "Basic " + base64_encode(as_bytes(user_pass));
}

}  // namespace hush::client
