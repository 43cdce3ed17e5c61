#include "request.hpp"

namespace hush::interop {
namespace {

Error bad(const char* field, const char* what) {
  return make_error(Errc::bad_request, std::string("field '") + field + "' " + what);
}

}  // namespace

Result<std::string> Request::string(const char* field) const {
  if (!j_.contains(field)) return bad(field, "is missing");
  if (!j_.at(field).is_string()) return bad(field, "must be a string");
  return j_.at(field).get<std::string>();
}

Result<std::uint32_t> Request::u32(const char* field) const {
  if (!j_.contains(field)) return bad(field, "is missing");
  const auto& v = j_.at(field);
  if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > 0xFFFFFFFFll)
    return bad(field, "must be an integer in 0..2^32-1");
  return static_cast<std::uint32_t>(v.get<std::int64_t>());
}

Result<std::optional<std::uint32_t>> Request::optional_u32(const char* field) const {
  if (!has(field)) return std::optional<std::uint32_t>{};
  HUSH_ASSIGN(auto v, u32(field));
  return std::optional<std::uint32_t>{v};
}

Result<Bytes> Request::bytes(const char* field) const {
  HUSH_ASSIGN(auto text, string(field));
  auto decoded = base64_decode(text);
  if (!decoded) return bad(field, "is not standard base64");
  return std::move(*decoded);
}

Result<PublicKey> Request::public_key(const char* field) const {
  HUSH_ASSIGN(auto raw, bytes(field));
  auto key = PublicKey::deserialize(raw);
  if (!key) return make_error(Errc::invalid_key, std::string("field '") + field + "': " + key.error().message);
  return key;
}

Result<nlohmann::json> Request::object(const char* field) const {
  if (!j_.contains(field)) return bad(field, "is missing");
  if (!j_.at(field).is_object()) return bad(field, "must be an object");
  return j_.at(field);
}

}  // namespace hush::interop
