// The driver's group operations (driver-protocol.md "Group messages" and
// "Precise behaviour: Groups"): this party's sender keys are stored under its
// own address; other members' under theirs. Distribution ids are UUID
// strings in either case (DistributionId::parse); anything else is
// bad_request. Library errors pass through with their codes: no_session for
// a missing sender key, invalid_message for malformed input and bad
// signatures, duplicate_message for a used iteration.
#include "driver.hpp"

namespace hush::interop {
namespace {

using json = nlohmann::json;

Result<DistributionId> distribution_id_of(const Request& r) {
  HUSH_ASSIGN(auto text, r.string("distribution_id"));
  auto id = DistributionId::parse(text);
  if (!id) return make_error(Errc::bad_request, "field 'distribution_id' must be a UUID");
  return id;
}

}  // namespace

Result<json> Driver::group_create(const Request& r) {
  HUSH_ASSIGN(auto id, distribution_id_of(r));
  HUSH_ASSIGN(auto skdm, create_sender_key_distribution_message(*sender_keys_, self_, id, rng_));
  return json{{"distribution_message", base64_encode(skdm.view())}};
}

Result<json> Driver::group_process(const Request& r) {
  HUSH_ASSIGN(auto sender, address_of(r));
  HUSH_ASSIGN(auto skdm, r.bytes("distribution_message"));
  HUSH_TRY(process_sender_key_distribution_message(*sender_keys_, sender, skdm));
  return json::object();
}

Result<json> Driver::group_encrypt(const Request& r) {
  HUSH_ASSIGN(auto id, distribution_id_of(r));
  HUSH_ASSIGN(auto plaintext, r.bytes("plaintext"));
  HUSH_ASSIGN(auto body, hush::group_encrypt(*sender_keys_, self_, id, plaintext, rng_));
  return json{{"body", base64_encode(body)}};
}

Result<json> Driver::group_decrypt(const Request& r) {
  HUSH_ASSIGN(auto sender, address_of(r));
  HUSH_ASSIGN(auto body, r.bytes("body"));
  HUSH_ASSIGN(auto plaintext, hush::group_decrypt(*sender_keys_, sender, body));
  return json{{"plaintext", base64_encode(plaintext.view())}};
}

}  // namespace hush::interop
