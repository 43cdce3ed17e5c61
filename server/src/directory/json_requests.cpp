#include "directory/json_requests.hpp"

#include <nlohmann/json.hpp>

#include <unordered_set>

#include "common/encoding.hpp"
#include "hush/keys.hpp"

namespace hush::server {
namespace {

using nlohmann::json;

Error field_error(std::string_view field, std::string_view what) {
  return make_error(Errc::bad_request, "field '" + std::string(field) + "' " + std::string(what));
}

// nlohmann throws on malformed JSON and on invalid UTF-8 in strings; both
// are a 400, never an escaping exception.
Result<json> parse_object(std::string_view body) {
  json j = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error(Errc::bad_request, "body is not valid JSON (UTF-8)");
  if (!j.is_object()) return make_error(Errc::bad_request, "body must be a JSON object");
  return j;
}

Result<std::string> get_string(const json& j, std::string_view field) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return field_error(field, "is required");
  if (!it->is_string()) return field_error(field, "must be a string");
  return it->get<std::string>();
}

Result<std::uint32_t> get_u32(const json& j, std::string_view field, std::uint32_t min, std::uint32_t max) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return field_error(field, "is required");
  if (!it->is_number_integer()) return field_error(field, "must be an integer");
  if (it->is_number_unsigned()) {
    const auto v = it->get<std::uint64_t>();
    if (v >= min && v <= max) return static_cast<std::uint32_t>(v);
  } else {
    const auto v = it->get<std::int64_t>();
    if (v >= static_cast<std::int64_t>(min) && v <= static_cast<std::int64_t>(max)) {
      return static_cast<std::uint32_t>(v);
    }
  }
  return field_error(field, "must be between " + std::to_string(min) + " and " + std::to_string(max));
}

Result<Bytes> get_base64(const json& j, std::string_view field, std::size_t size) {
  HUSH_ASSIGN(auto text, get_string(j, field));
  auto bytes = base64_decode(text);
  if (!bytes) return field_error(field, "must be standard padded base64");
  if (bytes->size() != size) return field_error(field, "must decode to " + std::to_string(size) + " bytes");
  return std::move(*bytes);
}

Result<Bytes> get_public_key(const json& j, std::string_view field) {
  HUSH_ASSIGN(auto bytes, get_base64(j, field, kPublicKeySize));
  if (!PublicKey::deserialize(bytes).ok()) return field_error(field, "is not a valid public key");
  return bytes;
}

Result<SecretHash> get_secret_hash(const json& j, std::string_view field) {
  HUSH_ASSIGN(auto secret, get_base64(j, field, kDeviceSecretSize));
  SecretHash hash = sha256(secret);
  secure_wipe(secret.data(), secret.size());
  return hash;
}

// libsignal registration ids are 14 bits, never 0.
constexpr std::uint32_t kMaxRegistrationId = 0x3fff;
// libsignal prekey ids are 24 bits (Medium).
constexpr std::uint32_t kMaxKeyId = 0xffffff;

}  // namespace

Result<RegisterAccountRequest> parse_register_account(std::string_view body) {
  HUSH_ASSIGN(auto j, parse_object(body));
  RegisterAccountRequest r;
  HUSH_ASSIGN(r.username, get_string(j, "username"));
  if (auto it = j.find("invite"); it != j.end() && !it->is_null()) {
    if (!it->is_string()) return field_error("invite", "must be a string");
    r.invite = it->get<std::string>();
  }
  HUSH_ASSIGN(r.identity_key, get_public_key(j, "identity_key"));
  HUSH_ASSIGN(r.registration_id, get_u32(j, "registration_id", 1, kMaxRegistrationId));
  HUSH_ASSIGN(r.secret_hash, get_secret_hash(j, "device_secret"));
  return r;
}

Result<AddDeviceRequest> parse_add_device(std::string_view body) {
  HUSH_ASSIGN(auto j, parse_object(body));
  AddDeviceRequest r;
  HUSH_ASSIGN(r.registration_id, get_u32(j, "registration_id", 1, kMaxRegistrationId));
  HUSH_ASSIGN(r.secret_hash, get_secret_hash(j, "device_secret"));
  return r;
}

Result<SignedPreKeyEntry> parse_signed_prekey(std::string_view body) {
  HUSH_ASSIGN(auto j, parse_object(body));
  SignedPreKeyEntry k;
  HUSH_ASSIGN(k.key_id, get_u32(j, "key_id", 0, kMaxKeyId));
  HUSH_ASSIGN(k.public_key, get_public_key(j, "public_key"));
  HUSH_ASSIGN(k.signature, get_base64(j, "signature", kSignatureSize));
  return k;
}

Result<PreKeysUpload> parse_prekeys(std::string_view body, std::size_t max_per_request) {
  HUSH_ASSIGN(auto j, parse_object(body));
  auto it = j.find("prekeys");
  if (it == j.end() || !it->is_array()) return field_error("prekeys", "must be an array");
  if (it->empty()) return field_error("prekeys", "must not be empty");
  if (it->size() > max_per_request) {
    return field_error("prekeys", "may hold at most " + std::to_string(max_per_request) + " keys");
  }
  PreKeysUpload out;
  out.prekeys.reserve(it->size());
  std::unordered_set<std::uint32_t> ids;
  for (const auto& item : *it) {
    if (!item.is_object()) return field_error("prekeys", "must hold objects");
    PreKeyEntry k;
    HUSH_ASSIGN(k.key_id, get_u32(item, "key_id", 0, kMaxKeyId));
    HUSH_ASSIGN(k.public_key, get_public_key(item, "public_key"));
    if (!ids.insert(k.key_id).second) return field_error("prekeys", "has a key_id twice");
    out.prekeys.push_back(std::move(k));
  }
  return out;
}

}  // namespace hush::server
