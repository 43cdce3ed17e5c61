// DistributionId: a UUID in its textual form 8-4-4-4-12 (RFC 4122 §3), the
// 16 bytes in the order the hex digits are written.
#include <cstddef>

#include "hush/group.hpp"

namespace hush {
namespace {

constexpr std::size_t kTextLength = 36;

constexpr bool is_dash_position(std::size_t i) {
  return i == 8 || i == 13 || i == 18 || i == 23;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<DistributionId> DistributionId::parse(std::string_view text) {
  auto bad = [] { return make_error(Errc::bad_request, "distribution id must be a UUID (8-4-4-4-12 hex digits)"); };
  if (text.size() != kTextLength) return bad();
  DistributionId id;
  std::size_t out = 0;
  int high = -1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (is_dash_position(i)) {
      if (text[i] != '-') return bad();
      continue;
    }
    const int v = hex_value(text[i]);
    if (v < 0) return bad();
    if (high < 0) {
      high = v;
    } else {
      id.bytes[out++] = static_cast<std::uint8_t>(high << 4 | v);
      high = -1;
    }
  }
  return id;
}

std::string DistributionId::to_string() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(kTextLength);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kDigits[bytes[i] >> 4]);
    s.push_back(kDigits[bytes[i] & 0xF]);
  }
  return s;
}

}  // namespace hush
