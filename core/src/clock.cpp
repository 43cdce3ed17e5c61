// Wall-clock time for expiry rules (style §6).
#include "hush/clock.hpp"

#include <chrono>

namespace hush {

std::uint64_t SystemClock::now_seconds() const {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
  return secs < 0 ? 0 : static_cast<std::uint64_t>(secs);
}

}  // namespace hush
