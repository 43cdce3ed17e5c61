// RFC 6455 framing for the server side of the relay WebSocket, free of
// sockets so it can be unit-tested: an incremental parser of client frames
// and the encoders of server frames.
//
// Why not Beast's websocket::stream for plain TCP: its state is about 2.6 KiB
// per connection (a 1.5 KiB read buffer inside it, seven saved handlers, a
// UTF-8 checker, a decorator), more than the whole budget of an idle
// connection (issue 3: 2 KiB). This parser keeps a few dozen bytes between
// messages and holds payload bytes only while a message is being received.
//
// What it accepts (RFC 6455 §5): masked frames only (§5.1), no extensions
// (RSV bits 0), opcodes 0/1/2/8/9/10, control frames of at most 125 bytes and
// never fragmented (§5.5), continuation frames only inside a message. A
// message over `max_message` bytes is refused with 1009 as soon as a frame
// header announces it, before its payload is buffered.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hush::server::net {

enum class WsOpcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

// Close codes the server sends (RFC 6455 §7.4.1).
inline constexpr std::uint16_t kWsCloseProtocolError = 1002;
inline constexpr std::uint16_t kWsCloseTooBig = 1009;
inline constexpr std::uint16_t kWsCloseNoStatus = 1005;  // never sent: "the peer gave no code"

class WsFrameParser {
 public:
  enum class Event : std::uint8_t {
    none,            // every byte was consumed, no frame completed an event
    binary,          // payload(): a complete binary message
    text,            // payload(): a complete text message (not checked for UTF-8)
    ping,            // payload(): the ping's application data (echo it in a pong)
    pong,            //
    close,           // close_code(), payload(): the reason
    protocol_error,  // answer with 1002; the stream cannot be parsed further
    too_big,         // answer with 1009
  };

  explicit WsFrameParser(std::size_t max_message) : max_message_(max_message) {}

  // Parses bytes of the stream from `data`, stopping right after the first
  // frame that completes an event. `consumed` says how many bytes were used;
  // the caller passes the rest again. payload() of the previous event is
  // discarded when this is called. After protocol_error or too_big the
  // parser must not be fed again.
  Event parse(const std::uint8_t* data, std::size_t size, std::size_t& consumed);

  // The payload of the last event (valid until the next parse() or release()).
  std::string& payload() { return last_control_ ? control_ : message_; }
  std::uint16_t close_code() const { return close_code_; }

  // Gives the buffers' memory back (an idle connection holds none); a
  // payload still arriving is kept.
  void release();

 private:
  Event header_complete();
  Event frame_complete();

  std::string message_;          // payload of the data message being received
  std::string control_;          // payload of the control frame being received
  std::uint64_t remaining_ = 0;  // payload bytes left in the current frame
  std::size_t max_message_;
  std::uint16_t close_code_ = 0;
  std::uint8_t header_[14]{};
  std::uint8_t header_len_ = 0;
  std::uint8_t header_need_ = 2;
  std::uint8_t mask_[4]{};
  std::uint8_t mask_pos_ = 0;
  std::uint8_t opcode_ = 0;          // of the current frame
  std::uint8_t message_opcode_ = 0;  // text or binary while a message is incomplete, else 0
  bool fin_ = false;
  bool in_payload_ = false;
  bool last_control_ = false;
  bool clear_message_ = false;
};

// The header of an unmasked server frame with FIN set: 2 to 10 bytes written
// to `out`, the count returned.
std::size_t ws_encode_header(std::uint8_t (&out)[10], WsOpcode opcode, std::uint64_t payload_size);

// A whole control frame (ping, pong or close; payload cut to 125 bytes).
std::string ws_encode_control(WsOpcode opcode, std::string_view payload);
// A close frame with `code` and `reason` (cut so the payload fits 125 bytes).
std::string ws_encode_close(std::uint16_t code, std::string_view reason);

// Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2: base64 of
// SHA-1 of the key and the fixed GUID), or nullopt when the key is not the
// base64 of 16 bytes (§4.1), which the handshake answers with 400.
std::optional<std::string> ws_accept_key(std::string_view key);

}  // namespace hush::server::net
