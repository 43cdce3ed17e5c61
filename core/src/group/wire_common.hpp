// Framing shared by the two sender-key wire messages (facts §6): a version
// byte whose high nibble must be exactly 3, then a proto2 protobuf.
#pragma once

#include <cstdint>
#include <string>

#include "hush/group.hpp"
#include "hush/result.hpp"

namespace google::protobuf {
class Message;
}

namespace hush::group {

// (3 << 4) | 3: libsignal writes the state's version in the high nibble and
// SENDERKEY_MESSAGE_CURRENT_VERSION (3) in the low one.
std::uint8_t sender_key_version_byte(std::uint32_t message_version) noexcept;

// The high nibble must be exactly 3: lower is LegacyCiphertextVersion, higher
// UnrecognizedCiphertextVersion (both invalid_message). Returns the nibble.
Result<std::uint8_t> check_sender_key_version(std::uint8_t byte);

// Parses `body` into `pb`. invalid_message ("protobuf encoding was invalid")
// when the bytes do not parse, or carry a known field with the wrong wire
// type: protobuf C++ keeps such a field as unknown, while libsignal's decoder
// (prost) rejects the message.
Result<void> parse_strict(ByteView body, google::protobuf::Message& pb, int max_field_number);

// The distribution id field: exactly 16 bytes (libsignal Uuid::from_slice).
Result<DistributionId> distribution_id_from(const std::string& field);

}  // namespace hush::group
