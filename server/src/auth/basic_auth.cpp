#include "auth/basic_auth.hpp"

#include <charconv>

#include "common/encoding.hpp"

namespace hush::server {

std::optional<std::uint32_t> parse_device_id(std::string_view text) {
  if (text.empty() || text.size() > 10 || text[0] == '0') return std::nullopt;
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v == 0 || v > 0x7fffffffu) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

std::optional<BasicCredentials> parse_basic_auth(std::string_view header) {
  constexpr std::string_view scheme = "Basic ";
  if (header.size() <= scheme.size() || header.size() > 512) return std::nullopt;
  // The scheme name is case-insensitive (RFC 7617).
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    const char a = static_cast<char>(header[i] | 0x20), b = static_cast<char>(scheme[i] | 0x20);
    if (a != b) return std::nullopt;
  }
  auto decoded = base64_decode(header.substr(scheme.size()));
  if (!decoded) return std::nullopt;
  const std::string_view plain(reinterpret_cast<const char*>(decoded->data()), decoded->size());
  const auto colon = plain.find(':');
  if (colon == std::string_view::npos) {
    secure_wipe(decoded->data(), decoded->size());
    return std::nullopt;
  }
  const std::string_view user_part = plain.substr(0, colon);
  const auto dot = user_part.rfind('.');
  auto secret = dot == std::string_view::npos ? std::nullopt : base64_decode(plain.substr(colon + 1));
  std::optional<BasicCredentials> out;
  if (secret && secret->size() == kDeviceSecretSize) {
    if (auto device = parse_device_id(user_part.substr(dot + 1)); device && dot > 0) {
      out.emplace();
      out->username = std::string(user_part.substr(0, dot));
      out->device_id = *device;
      out->secret = Secret<kDeviceSecretSize>(*secret);
    }
  }
  if (secret) secure_wipe(secret->data(), secret->size());
  secure_wipe(decoded->data(), decoded->size());
  return out;
}

}  // namespace hush::server
