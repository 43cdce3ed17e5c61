// Hand-over from an HTTP session to the relay WebSocket (websocket_session.cpp).
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "auth/authenticator.hpp"
#include "auth/connection_limiter.hpp"
#include "net/net_context.hpp"

namespace hush::server::net {

namespace beast = boost::beast;
namespace http = beast::http;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Request = http::request<http::string_body>;

// Accepts the upgrade `request` on `stream` for the authenticated `device`.
void start_websocket_session(PlainStream&& stream, Request&& request, ConnectionTicket ticket,
                             AuthenticatedDevice device, NetContext& ctx);
void start_websocket_session(TlsStream&& stream, Request&& request, ConnectionTicket ticket,
                             AuthenticatedDevice device, NetContext& ctx);

// One place decides how loud a network error is (style §11 "one fail()").
void log_failure(const boost::system::error_code& ec, const char* what);

}  // namespace hush::server::net
