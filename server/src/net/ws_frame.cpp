#include "net/ws_frame.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <cstring>

#include "hush/base64.hpp"

namespace hush::server::net {
namespace {

constexpr std::size_t kMaxControlPayload = 125;  // RFC 6455 §5.5

// out[i] = in[i] XOR mask[(phase + i) mod 4] (RFC 6455 §5.3), eight bytes at
// a time: eight is a multiple of four, so one rotated 64-bit mask serves
// every word. The byte loop was 2% of hushd's CPU per envelope (perf).
void unmask(char* out, const std::uint8_t* in, std::size_t n, const std::uint8_t (&mask)[4], std::uint8_t phase) {
  std::uint8_t rotated[8];
  for (std::size_t k = 0; k < 8; ++k) rotated[k] = mask[(phase + k) & 3];
  std::uint64_t word_mask = 0;
  std::memcpy(&word_mask, rotated, sizeof word_mask);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, in + i, sizeof word);
    word ^= word_mask;
    std::memcpy(out + i, &word, sizeof word);
  }
  for (; i < n; ++i) out[i] = static_cast<char>(in[i] ^ mask[(phase + i) & 3]);
}

bool is_control(std::uint8_t opcode) {
  return (opcode & 0x8) != 0;
}

// RFC 6455 §7.4: codes a peer may send in a close frame (Beast's list).
bool valid_close_code(std::uint16_t code) {
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1014) return true;
  return code >= 3000 && code <= 4999;
}

}  // namespace

void WsFrameParser::release() {
  // Only between messages: a message or control frame still arriving keeps its bytes.
  if (message_opcode_ == 0 && !in_payload_) {
    std::string().swap(message_);
    clear_message_ = false;
  }
  if (!in_payload_ || !is_control(opcode_)) std::string().swap(control_);
}

WsFrameParser::Event WsFrameParser::parse(const std::uint8_t* data, std::size_t size, std::size_t& consumed) {
  // The previous event's payload is no longer needed (a payload still
  // arriving is kept).
  if (last_control_) control_.clear();
  if (clear_message_) {
    message_.clear();
    clear_message_ = false;
  }
  last_control_ = false;
  std::size_t pos = 0;
  while (pos < size) {
    if (!in_payload_) {
      const std::size_t take = std::min<std::size_t>(header_need_ - header_len_, size - pos);
      std::copy_n(data + pos, take, header_ + header_len_);
      header_len_ = static_cast<std::uint8_t>(header_len_ + take);
      pos += take;
      if (header_len_ < header_need_) break;
      if (header_need_ == 2) {
        // First two bytes: flags, opcode, mask bit and the 7-bit length say
        // how long the rest of the header is.
        const std::uint8_t len7 = header_[1] & 0x7f;
        const std::uint8_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
        header_need_ = static_cast<std::uint8_t>(2 + ext + 4);
        if ((header_[1] & 0x80) == 0) {  // §5.1: a client MUST mask every frame
          consumed = pos;
          return Event::protocol_error;
        }
        continue;
      }
      if (Event e = header_complete(); e != Event::none) {
        consumed = pos;
        return e;
      }
      if (remaining_ != 0) continue;
    } else {
      const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, size - pos));
      std::string& target = is_control(opcode_) ? control_ : message_;
      const std::size_t start = target.size();
      target.resize(start + take);
      unmask(target.data() + start, data + pos, take, mask_, mask_pos_);
      mask_pos_ = static_cast<std::uint8_t>((mask_pos_ + take) & 3);
      pos += take;
      remaining_ -= take;
      if (remaining_ != 0) break;
    }
    if (Event e = frame_complete(); e != Event::none) {
      consumed = pos;
      return e;
    }
  }
  consumed = pos;
  return Event::none;
}

// Checks a complete header and sets up the payload; an error event, or none.
WsFrameParser::Event WsFrameParser::header_complete() {
  fin_ = (header_[0] & 0x80) != 0;
  opcode_ = header_[0] & 0x0f;
  const std::uint8_t len7 = header_[1] & 0x7f;
  std::uint64_t length = len7;
  std::size_t i = 2;
  if (len7 == 126) {
    length = (std::uint64_t{header_[2]} << 8) | header_[3];
    i = 4;
  } else if (len7 == 127) {
    length = 0;
    for (; i < 10; ++i) length = (length << 8) | header_[i];
    if ((length >> 63) != 0) return Event::protocol_error;  // §5.2: the most significant bit MUST be 0
  }
  std::copy_n(header_ + i, 4, mask_);
  mask_pos_ = 0;
  header_len_ = 0;
  header_need_ = 2;

  if ((header_[0] & 0x70) != 0) return Event::protocol_error;  // RSV1-3 without a negotiated extension
  if (is_control(opcode_)) {
    if (opcode_ != 8 && opcode_ != 9 && opcode_ != 10) return Event::protocol_error;
    if (!fin_ || length > kMaxControlPayload) return Event::protocol_error;
  } else {
    if (opcode_ == 0) {
      if (message_opcode_ == 0) return Event::protocol_error;  // continuation of nothing
    } else if (opcode_ == 1 || opcode_ == 2) {
      if (message_opcode_ != 0) return Event::protocol_error;  // a new message inside a message
      message_opcode_ = opcode_;
    } else {
      return Event::protocol_error;
    }
    // Refuse before buffering: the sum is checked without overflow.
    if (length > max_message_ || message_.size() > max_message_ - length) return Event::too_big;
    message_.reserve(message_.size() + static_cast<std::size_t>(length));
  }
  remaining_ = length;
  in_payload_ = remaining_ != 0;
  return Event::none;
}

WsFrameParser::Event WsFrameParser::frame_complete() {
  in_payload_ = false;
  if (is_control(opcode_)) {
    last_control_ = true;
    if (opcode_ == 9) return Event::ping;
    if (opcode_ == 10) return Event::pong;
    // Close (§5.5.1): empty, or a 2-byte code and a reason.
    if (control_.empty()) {
      close_code_ = kWsCloseNoStatus;
      return Event::close;
    }
    if (control_.size() < 2) return Event::protocol_error;
    close_code_ = static_cast<std::uint16_t>((static_cast<std::uint8_t>(control_[0]) << 8) |
                                             static_cast<std::uint8_t>(control_[1]));
    if (!valid_close_code(close_code_)) return Event::protocol_error;
    control_.erase(0, 2);
    return Event::close;
  }
  if (!fin_) return Event::none;
  const std::uint8_t op = message_opcode_;
  message_opcode_ = 0;
  clear_message_ = true;
  return op == 2 ? Event::binary : Event::text;
}

std::size_t ws_encode_header(std::uint8_t (&out)[10], WsOpcode opcode, std::uint64_t payload_size) {
  out[0] = static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(opcode));
  if (payload_size < 126) {
    out[1] = static_cast<std::uint8_t>(payload_size);
    return 2;
  }
  if (payload_size <= 0xffff) {
    out[1] = 126;
    out[2] = static_cast<std::uint8_t>(payload_size >> 8);
    out[3] = static_cast<std::uint8_t>(payload_size);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<std::uint8_t>(payload_size >> (56 - 8 * i));
  return 10;
}

std::string ws_encode_control(WsOpcode opcode, std::string_view payload) {
  payload = payload.substr(0, kMaxControlPayload);
  std::uint8_t header[10];
  const std::size_t n = ws_encode_header(header, opcode, payload.size());
  std::string frame(reinterpret_cast<const char*>(header), n);
  frame.append(payload);
  return frame;
}

std::string ws_encode_close(std::uint16_t code, std::string_view reason) {
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xff));
  payload.append(reason.substr(0, kMaxControlPayload - 2));
  return ws_encode_control(WsOpcode::close, payload);
}

std::optional<std::string> ws_accept_key(std::string_view key) {
  auto raw = base64_decode(key);
  if (!raw || raw->size() != 16) return std::nullopt;
  static constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input(key);
  input.append(kGuid);
  std::uint8_t digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return base64_encode(ByteView(digest, sizeof digest));
}

}  // namespace hush::server::net
