// Process metrics in Prometheus text format (GET /metrics). Counters,
// gauges and fixed-bucket histograms are plain atomics, so updating them
// from any thread costs one relaxed atomic add; render() reads a snapshot.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace hush::server {

using Counter = std::atomic<std::uint64_t>;
using Gauge = std::atomic<std::int64_t>;

// Latency histogram with buckets from 50 µs to 5 s (seconds in the output).
class LatencyHistogram {
 public:
  static constexpr std::array<double, 16> kBounds = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                     0.005,   0.01,   0.025,   0.05,   0.1,   0.25,
                                                     0.5,     1,      2.5,     5};
  void observe(std::chrono::nanoseconds d);
  // Appends the _bucket/_sum/_count lines for `name`.
  void render(std::string& out, const char* name, const char* help) const;

 private:
  std::array<Counter, kBounds.size() + 1> buckets_{};  // last is +Inf
  Counter sum_ns_{0};
  Counter count_{0};
};

struct Metrics {
  Gauge http_connections{0};
  Gauge websocket_connections{0};
  Counter http_requests{0};
  Counter envelopes_in{0};         // committed to queues
  Counter envelopes_out{0};        // written to a recipient's socket
  Counter envelopes_acked{0};      // ids in AckRequests
  Gauge queue_depth{0};            // envelopes stored in all queues
  Counter auth_failures{0};
  Counter rate_limited{0};         // 429s and 1008s for rate or connection limits
  Counter bundle_fetches{0};
  Counter registrations{0};
  Counter bad_requests{0};         // 4xx on HTTP and WebSocket requests
  Counter slow_consumers_closed{0};
  LatencyHistogram commit_latency;    // enqueue call to durable
  LatencyHistogram delivery_latency;  // SendRequest read to Push written (online recipients)

  // The storage's group-commit counters, read when rendering (main.cpp
  // wires it to the Db); unset, they are left out.
  struct StorageCounters {
    std::uint64_t commits = 0;          // committed write transactions
    std::uint64_t unsynced_commits = 0;  // of which without the fsync (acks' deletes only)
    std::uint64_t writes = 0;            // write calls completed by them
    std::uint64_t checkpoints = 0;
  };
  std::function<StorageCounters()> storage_counters;

  std::string render() const;
};

}  // namespace hush::server
