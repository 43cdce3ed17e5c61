// Wall-clock milliseconds (server timestamps, invite expiry) and the steady
// clock (latencies, rate limiters, timeouts).
#pragma once

#include <chrono>
#include <cstdint>

namespace hush::server {

using SteadyClock = std::chrono::steady_clock;
using SteadyTime = SteadyClock::time_point;

inline std::uint64_t unix_now_ms() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

}  // namespace hush::server
