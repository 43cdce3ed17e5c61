// hush-load's results, as text or JSON.
#pragma once

#include <optional>
#include <string>

#include "options.hpp"
#include "shard.hpp"

namespace hush::load {

void print_relay_report(const Options& o, ShardStats& total, double measured_s, std::int64_t undelivered_at_end);

struct IdleResult {
  unsigned requested = 0;
  unsigned connected = 0;
  unsigned failed = 0;
  double connect_s = 0;
  std::optional<std::uint64_t> rss_before_kib, rss_after_kib;
};
void print_idle_report(const Options& o, const IdleResult& r);

}  // namespace hush::load
