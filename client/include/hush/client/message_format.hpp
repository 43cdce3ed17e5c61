// What Messenger puts inside the encrypted payload (client side only; the
// server never sees it). Version 1, all integers big-endian:
//
//   offset  size  field
//   0       1     version = 0x01
//   1       16    message id (random; the same on every retry of one send)
//   17      8     sender timestamp, ms since the Unix epoch
//   25      rest  body (UTF-8 text for the tests; opaque to the format)
//
// The id lets the receiver drop a message delivered twice (a retried send
// whose first attempt the server had in fact stored) without trusting the
// server's envelope ids, which differ between the attempts.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "hush/bytes.hpp"
#include "hush/result.hpp"

namespace hush::client {

using MessageId = std::array<std::uint8_t, 16>;

inline constexpr std::uint8_t kMessageFormatVersion = 1;
inline constexpr std::size_t kMessageHeaderSize = 1 + 16 + 8;

struct PlainMessage {
  MessageId id{};
  std::uint64_t sender_timestamp_ms = 0;
  std::string body;
};

SecretBytes encode_message(const MessageId& id, std::uint64_t sender_timestamp_ms, std::string_view body);
// Errors: invalid_message (shorter than the header, unknown version).
Result<PlainMessage> decode_message(ByteView plaintext);

std::string to_hex(const MessageId& id);

}  // namespace hush::client
