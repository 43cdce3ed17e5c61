// Typed access to one driver request (driver-protocol.md "Transport"): every
// missing or mistyped field is a bad_request naming the field.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "hush/base64.hpp"
#include "hush/keys.hpp"

namespace hush::interop {

class Request {
 public:
  explicit Request(const nlohmann::json& j) : j_(j) {}

  Result<std::string> string(const char* field) const;
  Result<std::uint32_t> u32(const char* field) const;
  Result<std::optional<std::uint32_t>> optional_u32(const char* field) const;
  // Standard base64 with padding.
  Result<Bytes> bytes(const char* field) const;
  // A base64 public key: bad_request if not base64, invalid_key if it does not parse.
  Result<PublicKey> public_key(const char* field) const;
  Result<nlohmann::json> object(const char* field) const;
  bool has(const char* field) const { return j_.contains(field) && !j_.at(field).is_null(); }

 private:
  const nlohmann::json& j_;
};

}  // namespace hush::interop
