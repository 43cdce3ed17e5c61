// The relay WebSocket (docs/API.md "WebSocket relay"): GET /v1/websocket with
// Basic auth, then binary hush.api.Frame messages. call() sends a Request
// with a fresh id and waits for the Response with that id; Pushes are queued
// for next_push(). A background thread runs the connection's I/O, so pushes
// and responses arrive while the caller does something else.
//
// Errors: Errc::storage for I/O failures (connect, TLS, handshake refused,
// timeout, connection closed; close_info() then tells what the server said);
// Errc::invalid_message for a server message that is not a Frame.
//
// Thread safety: all methods may be called from any thread; responses are
// matched by id, so concurrent calls are fine.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api.pb.h"
#include "hush/client/endpoint.hpp"
#include "hush/result.hpp"

namespace hush::client {

// Why the connection ended.
struct CloseInfo {
  bool by_server = false;     // a close frame from the server (else a transport failure or our close)
  std::uint16_t code = 0;     // WebSocket close code from the server (1001, 1008, 1009, 1002, ...)
  std::string reason;         // close reason text, or the transport error
};

struct ConnectOptions {
  std::string target = "/v1/websocket";
  // Largest message accepted from the server.
  std::size_t max_message_bytes = 4 * 1024 * 1024;
};

class RelayClient {
 public:
  // Connects and upgrades, within endpoint.timeout. `auth` null sends no
  // Authorization header (to test the server's refusal). When the server
  // refuses the upgrade, the error message starts with "HTTP <status>" and
  // *refused_status (if given) is set to that status.
  static Result<std::unique_ptr<RelayClient>> connect(const Endpoint& endpoint, const Credentials* auth,
                                                      const ConnectOptions& options = {},
                                                      unsigned* refused_status = nullptr);
  ~RelayClient();  // closes (1000) if still open, joins the I/O thread
  RelayClient(const RelayClient&) = delete;
  RelayClient& operator=(const RelayClient&) = delete;

  // Sends `request` with a fresh id (overwriting request.id) and waits up to
  // `timeout` for its Response.
  Result<api::Response> call(api::Request request, std::chrono::milliseconds timeout);
  Result<api::Response> send(const api::SendRequest& send, std::chrono::milliseconds timeout);
  Result<api::Response> ack(const std::vector<Bytes>& envelope_ids, std::chrono::milliseconds timeout);

  // The next Push, waiting up to `timeout`; nullopt when none arrived in
  // time. Queued pushes are returned even after the connection closed; then
  // the error is Errc::storage.
  Result<std::optional<api::Push>> next_push(std::chrono::milliseconds timeout);

  // The next Response that matched no waiting call() (e.g. the server's
  // answer to a raw message sent with send_raw), waiting up to `timeout`.
  Result<std::optional<api::Response>> next_unmatched_response(std::chrono::milliseconds timeout);

  // Sends one raw WebSocket message (tests of malformed input).
  Result<void> send_raw(ByteView message, bool binary);

  // Waits up to `timeout` for the connection to end; its CloseInfo if it did.
  std::optional<CloseInfo> wait_closed(std::chrono::milliseconds timeout);
  bool is_open() const;
  std::optional<CloseInfo> close_info() const;

  // Sends a close frame (code 1000) and waits up to `timeout` for the
  // server's; idempotent.
  void close(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

 private:
  struct Impl;
  explicit RelayClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hush::client
