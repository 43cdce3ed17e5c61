// A shard: one io_context on one thread, owning some pairs of devices (both
// ends of a pair live in the same shard, so a receiver can credit its
// sender's window without crossing threads). Each device has one
// WebSocket; the shard speaks hushd's protocol (binary Frames, acks) or the
// baseline relay's (JSON text frames) over it, sends on timers (--rate) or
// on deliveries (closed loop), and records latencies and errors.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "latency.hpp"
#include "options.hpp"
#include "ws_connection.hpp"

namespace hush::load {

using SteadyClock = std::chrono::steady_clock;

// Shared by all shards; written before the shards start, read-only after.
struct RunPlan {
  Options options;
  boost::asio::ip::tcp::endpoint server;
  std::vector<std::string> names;           // per device: username (hushd) or relay id (baseline)
  std::vector<std::string> authorization;   // per device (hushd)
  std::vector<boost::asio::ip::address> sources;  // source addresses, used round-robin
};

// Counters a shard keeps; merged after the run.
struct ShardStats {
  std::uint64_t sent = 0;                // messages handed to the socket
  std::uint64_t skipped = 0;             // rate mode: not sent, sender over --max-outstanding
  std::uint64_t delivered = 0;           // pushes received (any time)
  std::uint64_t delivered_measured = 0;  // of those, sent inside the measured window
  std::uint64_t sent_measured = 0;
  std::uint64_t connect_failures = 0;
  std::uint64_t closed_during_run = 0;
  std::uint64_t bad_messages = 0;        // frames we could not parse
  std::uint64_t ack_failures = 0;
  std::map<unsigned, std::uint64_t> send_statuses;  // non-200 Response statuses to sends
  std::map<std::uint16_t, std::uint64_t> close_codes;
  LatencySamples latency;

  void merge(const ShardStats& o);
};

// Run-wide progress, shared across shards.
struct RunProgress {
  std::atomic<unsigned> ready{0};        // connections open (and, for hushd, queue drained)
  std::atomic<unsigned> failed{0};       // connections that failed to open
  std::atomic<std::int64_t> in_flight{0};  // sent but not yet delivered (or refused)
  std::atomic<std::uint64_t> delivered{0};  // pushes received so far (server CPU per envelope)
  // Sending window; set before start() and read-only after.
  SteadyClock::time_point send_begin, measure_begin, measure_end;
};

class Shard {
 public:
  Shard(const RunPlan& plan, RunProgress& progress, std::vector<unsigned> devices);
  ~Shard();

  // Starts the thread and opens every connection (a bounded number at once).
  void connect_all();
  // Starts sending (rate timers or the closed-loop window) at send_begin.
  void start_sending();
  // Closes connections, stops the loop and joins the thread; stats() is
  // safe to read afterwards.
  void stop();
  const ShardStats& stats() const { return stats_; }

 private:
  struct Device;
  void open_next();
  void on_open(Device& d);
  void on_message(Device& d, std::string_view data);
  void on_hushd_frame(Device& d, std::string_view data);
  void on_baseline_frame(Device& d, std::string_view data);
  void finished(unsigned sender, std::optional<std::uint64_t> send_ns);
  void send_one(Device& d, std::uint64_t send_ns);
  void schedule(Device& d, SteadyClock::time_point at);
  void flush_acks(Device& d);
  bool sending_open(SteadyClock::time_point now) const { return sending_ && now < progress_.measure_end; }

  const RunPlan& plan_;
  RunProgress& progress_;
  boost::asio::io_context ioc_;
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread thread_;
  std::vector<std::unique_ptr<Device>> devices_;
  std::map<unsigned, Device*> by_index_;
  std::size_t next_to_open_ = 0;
  unsigned opening_ = 0;
  bool sending_ = false;
  std::string payload_;  // random filler for message content
  ShardStats stats_;
};

// Nanoseconds of a steady time point (the timestamp embedded in content).
inline std::uint64_t to_ns(SteadyClock::time_point t) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

}  // namespace hush::load
