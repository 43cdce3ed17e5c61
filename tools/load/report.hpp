// hush-load's results, as text or JSON.
#pragma once

#include <optional>
#include <string>

#include "options.hpp"
#include "shard.hpp"

namespace hush::load {

// The server's CPU time over the measured window (--server-pid) and the
// pushes received in the same window.
struct ServerCpu {
  double cpu_s = 0;
  std::uint64_t delivered = 0;
};
void print_relay_report(const Options& o, ShardStats& total, double measured_s, std::int64_t undelivered_at_end,
                        const std::optional<ServerCpu>& server);

struct IdleResult {
  unsigned requested = 0;
  unsigned connected = 0;
  unsigned failed = 0;
  double connect_s = 0;
  std::optional<std::uint64_t> rss_before_kib, rss_after_kib;
};
void print_idle_report(const Options& o, const IdleResult& r);

}  // namespace hush::load
