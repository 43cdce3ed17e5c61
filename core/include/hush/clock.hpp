// Time is injected so that expiry rules (libsignal's 30-day limit on an
// unacknowledged session) are testable.
#pragma once

#include <cstdint>

namespace hush {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since the Unix epoch.
  virtual std::uint64_t now_seconds() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::uint64_t now_seconds() const override;
};

}  // namespace hush
