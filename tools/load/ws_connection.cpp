// The load tool's only Beast translation unit.
#include "ws_connection.hpp"

#include <netinet/in.h>

#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace hush::load {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

// Handlers hold a shared_ptr to Impl, so a connection whose owner is gone
// still completes its pending operations safely; `owner` is cleared then.
struct WsConnection::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& ioc, WsCallbacks cb, WsConnection* o) : ws(ioc), callbacks(std::move(cb)), owner(o) {}

  websocket::stream<beast::tcp_stream> ws;
  WsCallbacks callbacks;
  WsConnection* owner;
  beast::flat_buffer buffer;
  std::deque<std::pair<std::string, bool>> queue;
  bool writing = false;
  bool ended = false;
  std::string host, target, authorization;

  void fail(std::uint16_t code, const std::string& reason) {
    if (ended) return;
    ended = true;
    if (owner) {
      owner->open_ = false;
      if (callbacks.on_close) callbacks.on_close(code, reason);
    }
  }

  void on_connect(beast::error_code ec) {
    if (ec) return fail(0, "connect: " + ec.message());
    beast::get_lowest_layer(ws).socket().set_option(tcp::no_delay(true), ec);
    ws.set_option(websocket::stream_base::decorator([auth = authorization](websocket::request_type& req) {
      req.set(beast::http::field::user_agent, "hush-load");
      if (!auth.empty()) req.set(beast::http::field::authorization, auth);
    }));
    ws.async_handshake(host, target, [self = shared_from_this()](beast::error_code e) { self->on_handshake(e); });
  }

  void on_handshake(beast::error_code ec) {
    if (ec) return fail(0, "handshake: " + ec.message());
    beast::get_lowest_layer(ws).expires_never();
    websocket::stream_base::timeout t{};
    t.handshake_timeout = std::chrono::seconds(10);
    t.idle_timeout = websocket::stream_base::none();
    t.keep_alive_pings = false;
    ws.set_option(t);
    ws.read_message_max(64 << 20);
    if (owner) owner->open_ = true;
    if (owner && callbacks.on_open) callbacks.on_open();
    do_read();
    do_write();
  }

  void do_read() {
    ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        const auto code = ec == websocket::error::closed ? static_cast<std::uint16_t>(self->ws.reason().code) : 0;
        return self->fail(code, ec.message());
      }
      const auto data = self->buffer.cdata();
      if (self->owner && self->callbacks.on_message)
        self->callbacks.on_message(std::string_view(static_cast<const char*>(data.data()), data.size()));
      self->buffer.consume(self->buffer.size());
      self->do_read();
    });
  }

  void do_write() {
    if (writing || ended || !ws.is_open()) return;
    if (queue.empty()) {
      if (owner && callbacks.on_write_idle) callbacks.on_write_idle();
      if (queue.empty()) return;
    }
    writing = true;
    ws.binary(queue.front().second);
    ws.async_write(asio::buffer(queue.front().first), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->writing = false;
      self->queue.pop_front();
      if (ec) return self->fail(0, "write: " + ec.message());
      self->do_write();
    });
  }
};

WsConnection::WsConnection(asio::io_context& ioc, WsCallbacks callbacks)
    : impl_(std::make_shared<Impl>(ioc, std::move(callbacks), this)) {}

WsConnection::~WsConnection() {
  impl_->owner = nullptr;
  beast::error_code ec;
  beast::get_lowest_layer(impl_->ws).socket().close(ec);
}

void WsConnection::start(const tcp::endpoint& remote, const asio::ip::address& source, const std::string& host,
                         const std::string& target, const std::string& authorization) {
  impl_->host = host;
  impl_->target = target;
  impl_->authorization = authorization;
  auto& socket = beast::get_lowest_layer(impl_->ws).socket();
  beast::error_code ec;
  socket.open(remote.protocol(), ec);
  if (!ec && !source.is_unspecified()) {
    // Let connect() pick the port per destination (4-tuple), not bind():
    // otherwise one source address runs out at the ephemeral range.
    const int one = 1;
    ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    socket.bind(tcp::endpoint(source, 0), ec);
  }
  if (ec) {
    // Report asynchronously, like every other outcome.
    asio::post(impl_->ws.get_executor(), [self = impl_, msg = "bind: " + ec.message()] { self->fail(0, msg); });
    return;
  }
  beast::get_lowest_layer(impl_->ws).expires_after(std::chrono::seconds(30));
  beast::get_lowest_layer(impl_->ws).async_connect(remote,
                                                   [self = impl_](beast::error_code e) { self->on_connect(e); });
}

void WsConnection::send(std::string data, bool binary) {
  impl_->queue.emplace_back(std::move(data), binary);
  if (open_) impl_->do_write();
}

void WsConnection::close() {
  if (!open_) return;
  open_ = false;
  impl_->ended = true;
  if (impl_->writing) {
    // Beast allows no close while a write is in flight: just drop the socket.
    beast::error_code ec;
    beast::get_lowest_layer(impl_->ws).socket().close(ec);
    return;
  }
  impl_->ws.async_close(websocket::close_code::normal, [self = impl_](beast::error_code) {});
}

std::size_t WsConnection::queued() const noexcept { return impl_->queue.size(); }

}  // namespace hush::load
