#include "hush/client/message_format.hpp"

#include <cstring>

namespace hush::client {

SecretBytes encode_message(const MessageId& id, std::uint64_t sender_timestamp_ms, std::string_view body) {
  SecretBytes out(kMessageHeaderSize + body.size());
  std::uint8_t* p = out.data();
  p[0] = kMessageFormatVersion;
  std::memcpy(p + 1, id.data(), id.size());
  for (int i = 0; i < 8; ++i) p[17 + i] = static_cast<std::uint8_t>(sender_timestamp_ms >> (56 - 8 * i));
  if (!body.empty()) std::memcpy(p + kMessageHeaderSize, body.data(), body.size());
  return out;
}

Result<PlainMessage> decode_message(ByteView plaintext) {
  if (plaintext.size() < kMessageHeaderSize) return make_error(Errc::invalid_message, "message shorter than its header");
  if (plaintext[0] != kMessageFormatVersion) return make_error(Errc::invalid_message, "unknown message format version");
  PlainMessage m;
  std::memcpy(m.id.data(), plaintext.data() + 1, m.id.size());
  for (int i = 0; i < 8; ++i) m.sender_timestamp_ms = (m.sender_timestamp_ms << 8) | plaintext[17 + i];
  m.body.assign(reinterpret_cast<const char*>(plaintext.data()) + kMessageHeaderSize,
                plaintext.size() - kMessageHeaderSize);
  return m;
}

std::string to_hex(const MessageId& id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (auto b : id) {
    s += kDigits[b >> 4];
    s += kDigits[b & 15];
  }
  return s;
}

}  // namespace hush::client
