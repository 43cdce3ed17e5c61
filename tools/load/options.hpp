// hush-load's command line (see --help).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hush::load {

enum class Target { hushd, baseline };

struct Options {
  Target target = Target::hushd;
  std::string host = "127.0.0.1";
  std::uint16_t port = 7443;
  // Relay mode.
  unsigned devices = 2;              // even: devices 2i and 2i+1 are a pair
  bool bidirectional = false;        // both of a pair send (else 2i -> 2i+1)
  std::size_t size = 256;            // envelope content bytes
  double rate = 0;                   // total messages/s; 0: as fast as the window allows
  unsigned window = 8;               // ASAP mode: messages in flight per sender
  unsigned max_outstanding = 1000;   // rate mode: per sender, beyond this sends are skipped (counted)
  double warmup_s = 1;
  double duration_s = 10;
  double drain_s = 5;                // after the run, wait this long for stragglers
  // Idle mode.
  unsigned idle = 0;                 // > 0: hold this many connections and report server RSS
  std::optional<int> server_pid;     // for /proc/PID/status
  double hold_s = 2;                 // settle time before the second RSS reading
  unsigned source_addresses = 0;     // 127.0.0.1.. 127.0.0.N as sources (0: one per 20000 connections)
  // Accounts and execution.
  std::string invites_file;          // one invite per line, one per device (else open registration)
  unsigned threads = 1;              // event loop threads
  unsigned register_threads = 8;
  double connect_timeout_s = 60;
  bool json = false;                 // print the report as one JSON object
};

// Parses argv; exits the process on --help or a usage error.
Options parse_options(int argc, char** argv);

}  // namespace hush::load
