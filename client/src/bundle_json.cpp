#include "hush/client/bundle_json.hpp"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "hush/client/base64.hpp"

namespace hush::client {
namespace {

using nlohmann::json;

Error bad(std::string what) { return make_error(Errc::invalid_message, "bundle: " + std::move(what)); }

Result<std::uint32_t> get_u32(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned() || it->get<std::uint64_t>() > std::numeric_limits<std::uint32_t>::max())
    return bad(std::string(key) + " is not a 32-bit unsigned number");
  return it->get<std::uint32_t>();
}

Result<Bytes> get_b64(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return bad(std::string(key) + " is not a string");
  auto bytes = base64_decode(it->get_ref<const std::string&>());
  if (!bytes) return bad(std::string(key) + " is not base64");
  return std::move(*bytes);
}

Result<PublicKey> get_key(const json& j, const char* key) {
  HUSH_ASSIGN(Bytes raw, get_b64(j, key));
  // Exactly libsignal's 33-byte form: the parser tolerates trailing bytes,
  // but a server that sends them is wrong.
  if (raw.size() != kPublicKeySize) return make_error(Errc::invalid_key, std::string("bundle: ") + key + " is not 33 bytes");
  return PublicKey::deserialize(raw);
}

Result<PreKeyBundle> parse_device(const json& d, const IdentityKey& identity) {
  if (!d.is_object()) return bad("device is not an object");
  PreKeyBundle b;
  b.identity_key = identity;
  HUSH_ASSIGN(b.device_id, get_u32(d, "device_id"));
  HUSH_ASSIGN(b.registration_id, get_u32(d, "registration_id"));
  auto spk = d.find("signed_prekey");
  if (spk == d.end() || !spk->is_object()) return bad("device " + std::to_string(b.device_id) + " has no signed prekey");
  HUSH_ASSIGN(b.signed_prekey_id, get_u32(*spk, "key_id"));
  HUSH_ASSIGN(b.signed_prekey, get_key(*spk, "public_key"));
  HUSH_ASSIGN(Bytes sig, get_b64(*spk, "signature"));
  if (sig.size() != kSignatureSize) return make_error(Errc::invalid_key, "bundle: signature is not 64 bytes");
  std::copy(sig.begin(), sig.end(), b.signed_prekey_signature.begin());
  auto pk = d.find("prekey");
  if (pk != d.end() && !pk->is_null()) {
    if (!pk->is_object()) return bad("prekey is neither an object nor null");
    HUSH_ASSIGN(b.prekey_id, get_u32(*pk, "key_id"));
    HUSH_ASSIGN(b.prekey, get_key(*pk, "public_key"));
  }
  return b;
}

}  // namespace

Result<UserBundles> parse_bundles(std::string_view json_text) {
  json j = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  UserBundles out;
  auto user = j.find("username");
  if (user == j.end() || !user->is_string()) return bad("username is not a string");
  out.username = user->get<std::string>();
  HUSH_ASSIGN(out.identity_key, get_key(j, "identity_key"));
  auto devices = j.find("devices");
  if (devices == j.end() || !devices->is_array()) return bad("devices is not an array");
  for (const auto& d : *devices) {
    HUSH_ASSIGN(PreKeyBundle b, parse_device(d, out.identity_key));
    out.devices.push_back(std::move(b));
  }
  return out;
}

}  // namespace hush::client
