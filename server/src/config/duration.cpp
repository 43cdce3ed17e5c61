#include "config/duration.hpp"

#include <charconv>

namespace hush::server {

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t unit = 1;
  switch (text.back()) {
    case 's': unit = 1; text.remove_suffix(1); break;
    case 'm': unit = 60; text.remove_suffix(1); break;
    case 'h': unit = 3600; text.remove_suffix(1); break;
    case 'd': unit = 86400; text.remove_suffix(1); break;
    default: break;
  }
  std::uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || n == 0) return std::nullopt;
  constexpr std::uint64_t kTenYears = 10ull * 366 * 86400;
  if (n > kTenYears / unit) return std::nullopt;
  return std::chrono::seconds(static_cast<std::int64_t>(n * unit));
}

}  // namespace hush::server
