// RFC 6455 framing of the plain-TCP relay WebSocket (net/ws_frame.hpp):
// client frames built here byte by byte, fed whole, split at every byte and
// concatenated; every rule the parser enforces refuses with the right event.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "net/ws_frame.hpp"

namespace hush::server::net {
namespace {

using Event = WsFrameParser::Event;
using Frame = std::vector<std::uint8_t>;

constexpr std::uint8_t kMask[4] = {0x37, 0xfa, 0x21, 0x3d};

// A client frame: FIN/RSV/opcode byte, then a masked payload (unless
// `masked` is false), with the shortest length encoding unless `len_code`
// forces 126 or 127.
Frame client_frame(std::uint8_t first, std::string_view payload, bool masked = true, int len_code = 0) {
  Frame f{first};
  const std::uint64_t n = payload.size();
  const std::uint8_t mask_bit = masked ? 0x80 : 0x00;
  if (len_code == 127 || n > 0xffff) {
    f.push_back(mask_bit | 127);
    for (int i = 7; i >= 0; --i) f.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
  } else if (len_code == 126 || n >= 126) {
    f.push_back(mask_bit | 126);
    f.push_back(static_cast<std::uint8_t>(n >> 8));
    f.push_back(static_cast<std::uint8_t>(n));
  } else {
    f.push_back(static_cast<std::uint8_t>(mask_bit | n));
  }
  if (masked) f.insert(f.end(), kMask, kMask + 4);
  for (std::size_t i = 0; i < payload.size(); ++i) {
    f.push_back(static_cast<std::uint8_t>(payload[i]) ^ (masked ? kMask[i % 4] : 0));
  }
  return f;
}

Frame operator+(Frame a, const Frame& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

struct Seen {
  Event event;
  std::string payload;
  std::uint16_t code = 0;
};

// Feeds `bytes` in chunks of `chunk` bytes and collects every event.
std::vector<Seen> feed(WsFrameParser& p, const Frame& bytes, std::size_t chunk) {
  std::vector<Seen> seen;
  for (std::size_t start = 0; start < bytes.size(); start += chunk) {
    const std::size_t end = std::min(bytes.size(), start + chunk);
    std::size_t pos = start;
    while (pos < end) {
      std::size_t used = 0;
      const Event e = p.parse(bytes.data() + pos, end - pos, used);
      pos += used;
      if (e == Event::none) break;
      seen.push_back({e, p.payload(), p.close_code()});
      if (e == Event::protocol_error || e == Event::too_big) return seen;
    }
  }
  return seen;
}

TEST(WsFrameParserTest, ParsesMessagesAndControlFramesAtAnySplit) {
  const std::string big(70000, 'x');  // 64-bit length
  const std::string mid(300, 'y');    // 16-bit length
  const Frame stream = client_frame(0x82, "hello") + client_frame(0x89, "pi") + client_frame(0x02, "frag") +
                       client_frame(0x8a, "") + client_frame(0x80, "mented") + client_frame(0x82, mid) +
                       client_frame(0x82, big) + client_frame(0x81, "text") + client_frame(0x82, "") +
                       client_frame(0x88, std::string("\x03\xe8"
                                                      "bye",
                                                      5));
  for (std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{5}, std::size_t{7}, stream.size()}) {
    WsFrameParser p(1 << 20);
    const auto seen = feed(p, stream, chunk);
    ASSERT_EQ(seen.size(), 9u) << "chunk " << chunk;
    EXPECT_EQ(seen[0].event, Event::binary);
    EXPECT_EQ(seen[0].payload, "hello");
    EXPECT_EQ(seen[1].event, Event::ping);  // a control frame between data frames
    EXPECT_EQ(seen[1].payload, "pi");
    EXPECT_EQ(seen[2].event, Event::pong);  // ...and inside a fragmented message
    EXPECT_EQ(seen[3].event, Event::binary);
    EXPECT_EQ(seen[3].payload, "fragmented");
    EXPECT_EQ(seen[4].payload, mid);
    EXPECT_EQ(seen[5].payload, big);
    EXPECT_EQ(seen[6].event, Event::text);
    EXPECT_EQ(seen[6].payload, "text");
    EXPECT_EQ(seen[7].event, Event::binary);
    EXPECT_EQ(seen[7].payload, "");
    EXPECT_EQ(seen[8].event, Event::close);
    EXPECT_EQ(seen[8].code, 1000);
    EXPECT_EQ(seen[8].payload, "bye");
  }
}

// The unmask works eight bytes at a time: every byte value, at every mask
// phase a split can leave, and tails shorter than a word come out right.
TEST(WsFrameParserTest, UnmasksEveryByteAtEveryPhase) {
  std::string payload;
  for (int i = 0; i < 1021; ++i) payload.push_back(static_cast<char>((i * 37 + i / 256) & 0xff));
  const Frame stream = client_frame(0x82, payload) + client_frame(0x82, payload.substr(0, 13)) +
                       client_frame(0x82, payload.substr(5, 8)) + client_frame(0x82, payload.substr(9, 3));
  for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{9}, std::size_t{13}, stream.size()}) {
    WsFrameParser p(1 << 20);
    const auto seen = feed(p, stream, chunk);
    ASSERT_EQ(seen.size(), 4u) << "chunk " << chunk;
    EXPECT_EQ(seen[0].payload, payload) << "chunk " << chunk;
    EXPECT_EQ(seen[1].payload, payload.substr(0, 13)) << "chunk " << chunk;
    EXPECT_EQ(seen[2].payload, payload.substr(5, 8)) << "chunk " << chunk;
    EXPECT_EQ(seen[3].payload, payload.substr(9, 3)) << "chunk " << chunk;
  }
}

TEST(WsFrameParserTest, StopsAfterEachEventAndKeepsTheRest) {
  const Frame two = client_frame(0x82, "one") + client_frame(0x82, "two");
  WsFrameParser p(1024);
  std::size_t used = 0;
  ASSERT_EQ(p.parse(two.data(), two.size(), used), Event::binary);
  EXPECT_EQ(p.payload(), "one");
  EXPECT_EQ(used, client_frame(0x82, "one").size());
  std::size_t used2 = 0;
  ASSERT_EQ(p.parse(two.data() + used, two.size() - used, used2), Event::binary);
  EXPECT_EQ(p.payload(), "two");
  EXPECT_EQ(used + used2, two.size());
}

TEST(WsFrameParserTest, EmptyCloseHasNoStatus) {
  WsFrameParser p(1024);
  const auto seen = feed(p, client_frame(0x88, ""), 100);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].event, Event::close);
  EXPECT_EQ(seen[0].code, kWsCloseNoStatus);
}

TEST(WsFrameParserTest, RefusesWhatRfc6455Forbids) {
  const std::vector<std::pair<const char*, Frame>> bad = {
      {"unmasked", client_frame(0x82, "x", false)},
      {"RSV1 without an extension", client_frame(0xc2, "x")},
      {"RSV3", client_frame(0x92, "x")},
      {"reserved data opcode", client_frame(0x83, "x")},
      {"reserved control opcode", client_frame(0x8b, "x")},
      {"fragmented control frame", client_frame(0x09, "x")},
      {"control frame over 125 bytes", client_frame(0x89, std::string(126, 'p'))},
      {"continuation of nothing", client_frame(0x80, "x")},
      {"new message inside a message", client_frame(0x02, "a") + client_frame(0x82, "b")},
      {"close with a 1-byte payload", client_frame(0x88, "x")},
      {"close with code 1005", client_frame(0x88, std::string("\x03\xed", 2))},
      {"close with code 999", client_frame(0x88, std::string("\x03\xe7", 2))},
      {"close with code 2000", client_frame(0x88, std::string("\x07\xd0", 2))},
  };
  for (const auto& [what, frame] : bad) {
    WsFrameParser p(1024);
    const auto seen = feed(p, frame, 3);
    ASSERT_FALSE(seen.empty()) << what;
    EXPECT_EQ(seen.back().event, Event::protocol_error) << what;
  }
  // A 64-bit length with the top bit set.
  Frame huge{0x82, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4};
  WsFrameParser p(1024);
  std::size_t used = 0;
  EXPECT_EQ(p.parse(huge.data(), huge.size(), used), Event::protocol_error);
}

TEST(WsFrameParserTest, RefusesAnOversizedMessageBeforeBufferingIt) {
  WsFrameParser p(100);
  std::size_t used = 0;
  const Frame fits = client_frame(0x82, std::string(100, 'a'));
  EXPECT_EQ(p.parse(fits.data(), fits.size(), used), Event::binary);
  // The header alone announces 101 bytes: refused without the payload.
  const Frame over = client_frame(0x82, std::string(101, 'a'));
  EXPECT_EQ(p.parse(over.data(), 8, used), Event::too_big);
  // Fragments that only together exceed the limit.
  WsFrameParser q(100);
  const Frame parts = client_frame(0x02, std::string(60, 'a')) + client_frame(0x80, std::string(41, 'b'));
  const auto seen = feed(q, parts, parts.size());
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].event, Event::too_big);
}

TEST(WsFrameParserTest, ReleaseGivesTheBuffersBack) {
  WsFrameParser p(1 << 20);
  const Frame f = client_frame(0x82, std::string(5000, 'z'));
  std::size_t used = 0;
  ASSERT_EQ(p.parse(f.data(), f.size(), used), Event::binary);
  EXPECT_GE(p.payload().capacity(), 5000u);
  p.release();
  EXPECT_LT(p.payload().capacity(), 32u);
}

TEST(WsFrameEncodeTest, HeadersUseTheShortestLength) {
  std::uint8_t h[10];
  ASSERT_EQ(ws_encode_header(h, WsOpcode::binary, 125), 2u);
  EXPECT_EQ(h[0], 0x82);
  EXPECT_EQ(h[1], 125);
  ASSERT_EQ(ws_encode_header(h, WsOpcode::binary, 126), 4u);
  EXPECT_EQ(h[1], 126);
  EXPECT_EQ(h[2], 0);
  EXPECT_EQ(h[3], 126);
  ASSERT_EQ(ws_encode_header(h, WsOpcode::binary, 65536), 10u);
  EXPECT_EQ(h[1], 127);
  EXPECT_EQ(h[7], 1);  // 0x00 00 00 00 00 01 00 00
  EXPECT_EQ(h[9], 0);
  const std::string close = ws_encode_close(1009, "message too big");
  ASSERT_EQ(close.size(), 2u + 2u + 15u);
  EXPECT_EQ(static_cast<std::uint8_t>(close[0]), 0x88);
  EXPECT_EQ(static_cast<std::uint8_t>(close[2]), 0x03);
  EXPECT_EQ(static_cast<std::uint8_t>(close[3]), 0xf1);
}

TEST(WsFrameEncodeTest, AcceptKeyIsRfc6455s) {
  // The example of RFC 6455 §1.3.
  EXPECT_EQ(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==").value_or(""), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_FALSE(ws_accept_key(""));
  EXPECT_FALSE(ws_accept_key("c2hvcnQ="));  // 5 bytes, not 16
  EXPECT_FALSE(ws_accept_key("not base64 at all!!!!!!="));
}

}  // namespace
}  // namespace hush::server::net
