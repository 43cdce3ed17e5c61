// Durations as operators type them: "90s", "30m", "12h", "7d" (a bare
// number is seconds).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace hush::server {

// nullopt for anything else, zero, or more than ten years.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

}  // namespace hush::server
