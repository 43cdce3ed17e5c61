// What every session needs from the server (net/ only). Sessions hold a
// reference; the context outlives the io_context's handlers.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <memory>

#include "auth/connection_limiter.hpp"
#include "net/server.hpp"

namespace hush::server::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct NetContext {
  Services& services;
  asio::ssl::context* tls = nullptr;  // null: plain HTTP and WS
  std::shared_ptr<ConnectionLimiter> per_address;
  std::atomic<bool> stopping{false};

  const Limits& limits() const { return services.config.limits; }
};

// Starts the HTTP session of an accepted connection (http_session.cpp).
void start_http_session(tcp::socket socket, std::string client_address, ConnectionTicket ticket, NetContext& ctx);

}  // namespace hush::server::net
