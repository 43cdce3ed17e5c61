// Structured logs: one JSON object per line on stderr, e.g.
//   {"ts":"2026-11-27T00:00:00.123Z","level":"info","event":"listening","port":7443}
// Fields carry ids, sizes, usernames and statuses only: never secrets,
// authorization headers or ciphertext. Thread-safe; each line is written
// with a single write(2) so lines from different threads never interleave.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>

namespace hush::server::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

void set_level(Level level);
bool enabled(Level level);
std::optional<Level> parse_level(std::string_view name);

// `fields` must be a JSON object (or null for none).
void write(Level level, std::string_view event, const nlohmann::json& fields = nullptr);

inline void debug(std::string_view event, const nlohmann::json& fields = nullptr) {
  if (enabled(Level::debug)) write(Level::debug, event, fields);
}
inline void info(std::string_view event, const nlohmann::json& fields = nullptr) {
  if (enabled(Level::info)) write(Level::info, event, fields);
}
inline void warn(std::string_view event, const nlohmann::json& fields = nullptr) {
  if (enabled(Level::warn)) write(Level::warn, event, fields);
}
inline void error(std::string_view event, const nlohmann::json& fields = nullptr) {
  write(Level::error, event, fields);
}

}  // namespace hush::server::log
