#include "driver.hpp"

#include <map>

#include "hush/fingerprint.hpp"
#include "hush/in_memory_store.hpp"
#include "hush/store/sqlite_protocol_store.hpp"

namespace hush::interop {
namespace {

using json = nlohmann::json;

constexpr std::uint32_t kMinIterations = 2;
constexpr std::uint32_t kMaxIterations = 1'000'000;

json error_response(const Error& e) {
  return json{{"ok", false}, {"error", std::string(errc_name(e.code))}, {"message", e.message}};
}

Result<PreKeyBundle> parse_bundle(const json& j) {
  Request r(j);
  PreKeyBundle b;
  HUSH_ASSIGN(b.registration_id, r.u32("registration_id"));
  HUSH_ASSIGN(b.device_id, r.u32("device_id"));
  HUSH_ASSIGN(b.identity_key, r.public_key("identity_key"));
  HUSH_ASSIGN(b.signed_prekey_id, r.u32("signed_prekey_id"));
  HUSH_ASSIGN(b.signed_prekey, r.public_key("signed_prekey"));
  HUSH_ASSIGN(auto signature, r.bytes("signed_prekey_signature"));
  // A signature of the wrong length can never verify.
  if (signature.size() != b.signed_prekey_signature.size())
    return make_error(Errc::invalid_signature, "signed prekey signature must be 64 bytes");
  std::copy(signature.begin(), signature.end(), b.signed_prekey_signature.begin());
  HUSH_ASSIGN(b.prekey_id, r.optional_u32("prekey_id"));
  if (r.has("prekey")) {
    HUSH_ASSIGN(auto key, r.public_key("prekey"));
    b.prekey = key;
  }
  if (b.prekey_id.has_value() != b.prekey.has_value())
    return make_error(Errc::bad_request, "bundle: prekey_id and prekey go together");
  return b;
}

json bundle_json(const PreKeyBundle& b) {
  json j{{"registration_id", b.registration_id},
         {"device_id", b.device_id},
         {"identity_key", base64_encode(b.identity_key.serialize())},
         {"signed_prekey_id", b.signed_prekey_id},
         {"signed_prekey", base64_encode(b.signed_prekey.serialize())},
         {"signed_prekey_signature", base64_encode(b.signed_prekey_signature)}};
  if (b.prekey_id) {
    j["prekey_id"] = *b.prekey_id;
    j["prekey"] = base64_encode(b.prekey->serialize());
  }
  return j;
}

}  // namespace

Driver::Driver() = default;

json Driver::handle(const json& request) {
  static const std::map<std::string, Handler, std::less<>> kOps = {
      {"init", &Driver::init},
      {"generate_bundle", &Driver::generate_bundle},
      {"process_bundle", &Driver::process_bundle},
      {"encrypt", &Driver::encrypt},
      {"decrypt", &Driver::decrypt},
      {"trust", &Driver::trust},
      {"fingerprint", &Driver::fingerprint},
      {"group_create", &Driver::group_create},
      {"group_process", &Driver::group_process},
      {"group_encrypt", &Driver::group_encrypt},
      {"group_decrypt", &Driver::group_decrypt},
  };
  if (!request.is_object()) return error_response({Errc::bad_request, "request must be a JSON object"});
  Request r(request);
  auto op = r.string("op");
  if (!op) return error_response(op.error());
  auto it = kOps.find(*op);
  if (it == kOps.end()) return error_response({Errc::bad_request, "unknown op '" + *op + "'"});
  if (!store_ && *op != "init") return error_response({Errc::bad_request, "'init' must come first"});
  auto result = (this->*(it->second))(r);
  if (!result) return error_response(result.error());
  json out = std::move(result).value();
  out["ok"] = true;
  return out;
}

Result<ProtocolAddress> Driver::address_of(const Request& r) const {
  ProtocolAddress a;
  HUSH_ASSIGN(a.name, r.string("address"));
  HUSH_ASSIGN(a.device_id, r.u32("device_id"));
  return a;
}

Result<json> Driver::init(const Request& r) {
  if (store_) return make_error(Errc::bad_request, "already initialised");
  HUSH_ASSIGN(auto address, r.string("address"));
  HUSH_ASSIGN(auto device_id, r.u32("device_id"));
  HUSH_ASSIGN(auto registration_id, r.u32("registration_id"));
  if (address.empty()) return make_error(Errc::bad_request, "field 'address' must not be empty");
  if (r.has("store")) {
    HUSH_ASSIGN(auto dir, r.string("store"));
    HUSH_ASSIGN(auto opened,
                store::SqliteProtocolStore::open(dir, store::OpenOptions{address, device_id, registration_id, rng_}));
    sender_keys_ = opened.get();
    store_ = std::move(opened);
  } else {
    auto memory = std::make_unique<InMemoryProtocolStore>(KeyPair::generate(rng_), registration_id);
    sender_keys_ = memory.get();
    store_ = std::move(memory);
  }
  self_ = ProtocolAddress{address, device_id};
  return json{{"identity_key", base64_encode(store_->identity_key_pair().public_key.serialize())},
              {"registration_id", store_->local_registration_id()}};
}

Result<json> Driver::generate_bundle(const Request& r) {
  HUSH_ASSIGN(auto signed_prekey_id, r.u32("signed_prekey_id"));
  HUSH_ASSIGN(auto prekey_id, r.optional_u32("prekey_id"));
  auto spk = generate_signed_prekey(store_->identity_key_pair(), signed_prekey_id, clock_.now_seconds() * 1000, rng_);
  PreKeyBundle b;
  b.registration_id = store_->local_registration_id();
  b.device_id = self_.device_id;
  b.identity_key = store_->identity_key_pair().public_key;
  b.signed_prekey_id = spk.id;
  b.signed_prekey = spk.key_pair.public_key;
  b.signed_prekey_signature = spk.signature;
  std::optional<PreKeyRecord> opk;
  if (prekey_id) {
    opk = generate_prekey(*prekey_id, rng_);
    b.prekey_id = opk->id;
    b.prekey = opk->key_pair.public_key;
  }
  // The one-time prekey is stored first: if the signed prekey then fails to
  // store, the bundle was never returned and the extra prekey is harmless.
  if (opk) HUSH_TRY(store_->store_prekey(*opk));
  HUSH_TRY(store_->store_signed_prekey(spk));
  return json{{"bundle", bundle_json(b)}};
}

Result<json> Driver::process_bundle(const Request& r) {
  HUSH_ASSIGN(auto address, address_of(r));
  HUSH_ASSIGN(auto bundle_json_value, r.object("bundle"));
  HUSH_ASSIGN(auto bundle, parse_bundle(bundle_json_value));
  HUSH_TRY(SessionBuilder(*store_, address, rng_, clock_).process(bundle));
  return json::object();
}

Result<json> Driver::encrypt(const Request& r) {
  HUSH_ASSIGN(auto address, address_of(r));
  HUSH_ASSIGN(auto plaintext, r.bytes("plaintext"));
  HUSH_ASSIGN(auto message, SessionCipher(*store_, address, rng_, clock_).encrypt(plaintext));
  return json{{"type", static_cast<int>(message.type)}, {"body", base64_encode(message.body)}};
}

Result<json> Driver::decrypt(const Request& r) {
  HUSH_ASSIGN(auto address, address_of(r));
  HUSH_ASSIGN(auto type, r.u32("type"));
  if (type != 2 && type != 3) return make_error(Errc::bad_request, "field 'type' must be 2 or 3");
  HUSH_ASSIGN(auto body, r.bytes("body"));
  HUSH_ASSIGN(auto plaintext,
              SessionCipher(*store_, address, rng_, clock_).decrypt(static_cast<MessageType>(type), body));
  return json{{"plaintext", base64_encode(plaintext.view())}};
}

Result<json> Driver::trust(const Request& r) {
  HUSH_ASSIGN(auto name, r.string("address"));
  HUSH_ASSIGN(auto key, r.public_key("identity_key"));
  HUSH_TRY(store_->save_identity(name, key));
  return json::object();
}

Result<json> Driver::fingerprint(const Request& r) {
  HUSH_ASSIGN(auto version, r.u32("version"));
  HUSH_ASSIGN(auto iterations, r.u32("iterations"));
  if (iterations < kMinIterations || iterations > kMaxIterations)
    return make_error(Errc::bad_request, "field 'iterations' must be in 2..1000000");
  HUSH_ASSIGN(auto local_id, r.bytes("local_id"));
  HUSH_ASSIGN(auto remote_id, r.bytes("remote_id"));
  HUSH_ASSIGN(auto remote_key, r.public_key("remote_identity_key"));
  HUSH_ASSIGN(auto fp, compute_fingerprint(version, iterations, local_id, store_->identity_key_pair().public_key,
                                           remote_id, remote_key));
  return json{{"displayable", fp.displayable}, {"scannable", base64_encode(fp.scannable)}};
}

}  // namespace hush::interop
