// Where a hushd listens and who we are to it (docs/API.md "Authentication").
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "hush/bytes.hpp"

namespace hush::client {

struct Endpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  // TLS (HTTPS/WSS). The server certificate is verified against ca_file (a
  // PEM file, e.g. the server's self-signed certificate) or, when ca_file is
  // empty, the system trust store; its name must match server_name.
  bool tls = false;
  std::string ca_file;
  std::string server_name = "localhost";
  // Local address to bind before connecting (empty: any). The load tool uses
  // several 127.0.0.x sources to get past one address's ephemeral ports, and
  // tests use it to keep a misbehaving client's rate limit off a good one.
  std::string bind_address;
  // Upper bound for connecting and for each request/response exchange.
  std::chrono::milliseconds timeout{5000};
};

// One device's credentials. The secret is 32 random bytes generated at
// registration; the server stores only its SHA-256.
struct Credentials {
  std::string username;
  std::uint32_t device_id = 0;
  Secret<32> secret;

  Credentials clone() const { return Credentials{username, device_id, secret.clone()}; }
  // The Authorization header value: Basic base64("USER.DEVICE:base64(SECRET)").
  std::string basic_auth() const;
};

}  // namespace hush::client
