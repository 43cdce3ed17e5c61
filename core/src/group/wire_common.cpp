#include "group/wire_common.hpp"

#include <google/protobuf/message.h>
#include <google/protobuf/unknown_field_set.h>

#include <algorithm>
#include <string>

#include "group/sender_key_state.hpp"

namespace hush::group {

std::uint8_t sender_key_version_byte(std::uint32_t message_version) noexcept {
  return static_cast<std::uint8_t>(((message_version & 0xF) << 4) | kSenderKeyVersion);
}

Result<std::uint8_t> check_sender_key_version(std::uint8_t byte) {
  const std::uint8_t v = byte >> 4;
  if (v < kSenderKeyVersion) return make_error(Errc::invalid_message, "legacy ciphertext version " + std::to_string(v));
  if (v > kSenderKeyVersion)
    return make_error(Errc::invalid_message, "unrecognized ciphertext version " + std::to_string(v));
  return v;
}

Result<void> parse_strict(ByteView body, google::protobuf::Message& pb, int max_field_number) {
  auto invalid = [] { return make_error(Errc::invalid_message, "protobuf encoding was invalid"); };
  if (!pb.ParseFromArray(body.data(), static_cast<int>(body.size()))) return invalid();
  const auto& unknown = pb.GetReflection()->GetUnknownFields(pb);
  for (int i = 0; i < unknown.field_count(); ++i) {
    const int n = unknown.field(i).number();
    if (n >= 1 && n <= max_field_number) return invalid();
  }
  return Ok{};
}

Result<DistributionId> distribution_id_from(const std::string& field) {
  DistributionId id;
  if (field.size() != id.bytes.size()) return make_error(Errc::invalid_message, "protobuf encoding was invalid");
  std::copy(field.begin(), field.end(), id.bytes.begin());
  return id;
}

}  // namespace hush::group
