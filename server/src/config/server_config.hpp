// Everything an operator can set (flags and HUSH_* variables, see
// docs/OPERATIONS.md) and every server limit, each in one place with its
// reason (style §7). main.cpp fills this; the rest of the server only reads it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "db/db.hpp"

namespace hush::server {

// A token bucket: `burst` tokens, refilled at `per_second`.
struct TokenBucketConfig {
  double burst = 10;
  double per_second = 1;
};

struct Limits {
  // Ciphertext of one envelope; Signal's own limit is of this order.
  std::size_t max_envelope_bytes = 256 * 1024;
  // One WebSocket message. A SendRequest carries one ciphertext per device,
  // so this is larger than max_envelope_bytes (and never less than it plus
  // 64 KiB); bigger messages close the socket with 1009.
  std::size_t max_frame_bytes = 1024 * 1024;
  // Per-device queue bounds; a send that would exceed them answers 507.
  QueueLimits queue{};
  // JSON request bodies (the largest is 100 prekeys, ~10 KiB).
  std::size_t max_json_body = 1024 * 1024;
  // Request line plus headers.
  std::size_t max_header_bytes = 8 * 1024;
  // Slowloris guard: the whole request head must arrive within this.
  std::chrono::seconds header_timeout{10};
  // Body after the head, and the wait for the next request on a keep-alive connection.
  std::chrono::seconds http_idle_timeout{30};
  // WebSocket: ping after half of this without traffic, close after all of it.
  std::chrono::seconds ws_idle_timeout{60};
  std::uint32_t max_connections_per_device = 4;
  // High by default so one load generator on loopback can open ~20k sockets.
  std::uint32_t max_connections_per_address = 100'000;
  std::uint32_t max_devices_per_account = 16;
  std::uint32_t max_prekeys_per_request = 100;
  std::uint32_t max_prekeys_stored = 1000;
  // After a claim leaves fewer than this, the device gets PrekeysLow.
  std::uint32_t prekey_low_threshold = 10;
  // Failed authentications per client address.
  TokenBucketConfig auth_failures{20, 1};
  // Bundle fetches per requesting device (stops prekey draining).
  TokenBucketConfig bundle_fetches{200, 20};
  // Requests one WebSocket may have awaiting commit before we stop reading it.
  std::uint32_t max_inflight_requests = 256;
  // Unsent bytes queued for one WebSocket before it counts as too slow and is
  // closed (1013); everything undelivered stays queued in the database.
  std::size_t max_pending_write_bytes = 8 * 1024 * 1024;
  // Envelopes read from the database per replay page.
  std::size_t replay_page = 128;
  // Envelope ids acknowledged by one AckRequest.
  std::size_t max_acks_per_request = 10'000;
};

struct ServerConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 7443;
  std::string data_dir = "hushd-data";
  bool open_registration = false;
  unsigned threads = 1;       // Asio threads
  unsigned db_threads = 2;    // blocking pool for directory reads/writes
  std::string tls_cert;       // PEM chain; TLS when both are set
  std::string tls_key;        // PEM private key
  std::string log_level = "info";
  std::chrono::seconds shutdown_grace{10};  // for in-flight commits and closes
  Limits limits{};

  bool tls() const { return !tls_cert.empty() && !tls_key.empty(); }
};

}  // namespace hush::server
