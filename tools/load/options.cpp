#include "options.hpp"

#include <CLI/CLI.hpp>
#include <cstdlib>

namespace hush::load {

namespace {

constexpr const char* kDescription = R"(hush-load: load generator for hushd's relay (and a baseline relay).

Relay mode (default): registers --devices accounts (open registration, or
--invites FILE with one invite per device), connects each over the relay
WebSocket, pairs device 2i with 2i+1, and has each sender send --size-byte
envelopes to its partner for --warmup + --duration seconds, either at a fixed
total --rate (open loop, timers) or, with --rate 0, as fast as a --window of
undelivered messages per sender allows (closed loop). Content is opaque
random bytes with the send time (monotonic clock) embedded; sender and
receiver run in this process, so latency is send -> Push received.
Receivers acknowledge every envelope (batched). Reports delivered
messages/s and p50/p99/p99.9/max latency over messages sent in the measured
window, plus errors (non-200 statuses, closes, skipped sends).

Idle mode (--idle N): registers N devices, opens N authenticated WebSockets
(from 127.0.0.1..127.0.0.K, binding before connect, to get past one source
address's ~28k ephemeral ports), waits until each has drained its queue,
and reports the server's VmRSS (/proc/PID/status of --server-pid) before
and after, per connection. Use a freshly started server: memory freed by
earlier connections is reused and would hide the cost.

With --server-pid in relay mode, the report adds the server's CPU time
(utime + stime of /proc/PID/stat) over the measured window divided by the
pushes received in that window.

Baseline (--baseline): the same runs against bench/baseline-relay.js, which
takes ws://HOST:PORT/ID connections and JSON text frames {"to":ID,"body":S}.

Raise `ulimit -n` for hushd (or the relay) and for hush-load before large
runs; hush-load raises its own soft limit to the hard limit.

Examples:
  hush-load --port 7443 --devices 200 --rate 5000 --duration 20
  hush-load --port 7443 --devices 20 --rate 0 --window 16 --size 1024
  hush-load --port 7443 --idle 10000 --server-pid $(pidof hushd)
  hush-load --baseline --port 8080 --devices 200 --rate 5000)";

}  // namespace

Options parse_options(int argc, char** argv) {
  Options o;
  CLI::App app{kDescription};
  app.get_formatter()->column_width(30);
  bool baseline = false;
  app.add_flag("--baseline", baseline, "Drive bench/baseline-relay.js instead of hushd");
  app.add_option("--host", o.host, "Server address (IPv4 or name)")->capture_default_str();
  app.add_option("--port", o.port, "Server port")->capture_default_str();
  app.add_option("--devices", o.devices, "Relay mode: devices, in pairs")->check(CLI::Range(2u, 1000000u))
      ->capture_default_str();
  app.add_flag("--bidirectional", o.bidirectional, "Both devices of a pair send");
  app.add_option("--size", o.size, "Envelope content bytes (at least 24)")->check(CLI::Range(24ul, 64ul << 20))
      ->capture_default_str();
  app.add_option("--rate", o.rate, "Total messages/s over all senders; 0: as fast as possible")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--window", o.window, "With --rate 0: undelivered messages per sender")
      ->check(CLI::Range(1u, 100000u))
      ->capture_default_str();
  app.add_option("--max-outstanding", o.max_outstanding, "With --rate: undelivered per sender before skipping")
      ->check(CLI::Range(1u, 10000000u))
      ->capture_default_str();
  app.add_option("--warmup", o.warmup_s, "Seconds sent but not measured")->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--duration", o.duration_s, "Seconds measured")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--drain", o.drain_s, "Seconds to wait for messages still in flight")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--idle", o.idle, "Idle mode: hold this many connections, report server RSS per connection");
  app.add_option("--server-pid", o.server_pid,
                 "The server's pid: idle mode reports its VmRSS, relay mode its CPU time per delivered envelope");
  app.add_option("--hold", o.hold_s, "Idle mode: seconds to hold the connections before measuring")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--source-addresses", o.source_addresses, "Idle mode: 127.0.0.1..N as sources (0: auto)");
  app.add_option("--invites", o.invites_file, "File of invites, one per line and device (default: open registration)")
      ->check(CLI::ExistingFile);
  app.add_option("--threads", o.threads, "Event loop threads")->check(CLI::Range(1u, 256u))->capture_default_str();
  app.add_option("--register-threads", o.register_threads, "Threads registering devices")
      ->check(CLI::Range(1u, 256u))
      ->capture_default_str();
  app.add_option("--connect-timeout", o.connect_timeout_s, "Seconds for all connections to open")
      ->capture_default_str();
  app.add_flag("--json", o.json, "Print the report as one JSON object");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e));
  }
  o.target = baseline ? Target::baseline : Target::hushd;
  if (o.idle == 0 && o.devices % 2 != 0) {
    std::fprintf(stderr, "hush-load: --devices must be even (pairs)\n");
    std::exit(2);
  }
  return o;
}

}  // namespace hush::load
