// Connection set-up shared by the HTTP and WebSocket clients (internal).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "hush/client/endpoint.hpp"
#include "hush/result.hpp"

namespace hush::client::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Resolves endpoint.host:port (numeric addresses and names; the first
// answer wins). Errors: storage.
Result<tcp::endpoint> resolve(asio::io_context& ioc, const Endpoint& endpoint);
// Opens `socket` for `remote`'s protocol and binds it to
// endpoint.bind_address when set, so the following connect uses that
// source. Errors: storage.
Result<void> open_and_bind(tcp::socket& socket, const tcp::endpoint& remote, const Endpoint& endpoint);
// A TLS client context that verifies the peer against endpoint.ca_file (or
// the system store). Errors: storage (unreadable CA file).
Result<std::unique_ptr<asio::ssl::context>> make_tls_context(const Endpoint& endpoint);

// An I/O failure as a Result error: "<what>: <error text>".
Error io_error(std::string_view what, const boost::system::error_code& ec);

}  // namespace hush::client::detail
