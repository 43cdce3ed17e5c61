// hush.api.Frame (proto/api.proto) to and from the relay's plain types.
// Pushes of envelopes are encoded by hand straight from the StoredEnvelope
// so the ciphertext is copied once (into the frame), not twice (into a
// protobuf message, then into the frame).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "relay/relay_service.hpp"

namespace hush::server {

struct IncomingRequest {
  enum class Kind { send, ack, invalid };
  Kind kind = Kind::invalid;
  std::uint64_t id = 0;  // 0 when the frame did not parse
  SendCommand send;
  std::vector<EnvelopeId> ack_ids;
  bool ack_quiet = false;  // answer the ack only if it fails
  std::string error;       // why it is invalid (answered with status 400)
};

// Never throws; anything that is not a Request with a body is `invalid`.
IncomingRequest decode_request(const void* data, std::size_t size);

std::string encode_push_envelope(const StoredEnvelope& envelope);
std::string encode_send_response(std::uint64_t id, const SendOutcome& outcome);
std::string encode_status_response(std::uint64_t id, std::uint32_t status, std::string_view message);
std::string encode_prekeys_low(std::uint32_t remaining);
std::string encode_queue_drained();

}  // namespace hush::server
