// The server side of a WebSocket over a plain TCP socket, small enough for
// tens of thousands of idle connections (issue 3: at most 2 KiB each).
// Included by websocket_session.cpp only.
//
// - Idle, a connection holds the socket, one timer and a pending readiness
//   wait (socket async_wait(wait_read)): no read buffer. Bytes are read into
//   a per-thread scratch buffer and parsed at once (WsFrameParser); only a
//   message still arriving, or bytes after a complete message that the
//   session has not asked for yet, are kept per connection.
// - One write at a time: a data message of the session, or the control
//   frames (pong, keep-alive ping, close) queued meanwhile.
// - Idle timeout as Beast's websocket::stream_base::timeout with
//   keep_alive_pings: after half the idle time without a byte received a
//   ping goes out; after the other half still without one, the connection
//   is closed.
// - Closing as Beast's server teardown: our close frame (a reply to the
//   peer's, or our own), then shutdown(send), then read and discard until
//   the peer closes TCP or the close timeout ends it.
//
// Owner contract: S is a session held by shared_ptr (enable_shared_from_this)
// with the callbacks on_accept(ec), on_read(ec, data, size, binary) and
// on_write(ec). Every handler runs on the socket's executor (the
// connection's strand). At most one read() and one write() outstanding; the
// bytes passed to write() stay alive and unchanged until on_write. The read payload is
// valid until the next read() or release_read_buffer().
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/error.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/server_config.hpp"
#include "net/ws_frame.hpp"

namespace hush::server::net {

template <class S>
class RawWebSocket {
 public:
  using error_code = boost::beast::error_code;
  using tcp = boost::asio::ip::tcp;

  RawWebSocket(tcp::socket socket, S& owner, std::size_t max_message)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), parser_(max_message), owner_(owner) {}

  auto get_executor() { return socket_.get_executor(); }

  // Answers the upgrade request (RFC 6455 §4.2.2), then on_accept.
  void accept(const boost::beast::http::request<boost::beast::http::string_body>& request, const Limits& limits) {
    idle_timeout_ = std::chrono::duration_cast<std::chrono::seconds>(limits.ws_idle_timeout);
    close_timeout_ = std::chrono::duration_cast<std::chrono::seconds>(limits.header_timeout);
    error_code ec;
    socket_.non_blocking(true, ec);
    error_code refusal;
    if (header_value(request, boost::beast::http::field::sec_websocket_version) != "13") {
      refusal = boost::beast::websocket::error::bad_sec_version;
      io().out =
          "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n"
          "Connection: close\r\n\r\n";
    } else if (auto accept = ws_accept_key(header_value(request, boost::beast::http::field::sec_websocket_key))) {
      io().out =
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Accept: ";
      io().out += *accept;
      io().out += "\r\n\r\n";
    } else {
      refusal = boost::beast::websocket::error::bad_sec_key;
      io().out = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    }
    phase_ = Phase::handshake;
    arm_timer(close_timeout_);
    writing_ = true;
    boost::asio::async_write(socket_, boost::asio::buffer(io().out),
                             [this, self = owner_.shared_from_this(), refusal](error_code wec, std::size_t) {
                               writing_ = false;
                               io().out.clear();
                               release_if_idle();
                               if (!wec && refusal) {
                                 phase_ = Phase::closing;
                                 teardown();
                               }
                               if (wec || refusal) return owner_.on_accept(wec ? wec : refusal);
                               phase_ = Phase::open;
                               arm_timer(idle_timeout_ / 2);
                               owner_.on_accept({});
                               pump();
                             });
  }

  // The next message: on_read(ec, data, size, binary).
  void read() {
    reading_ = true;
    if (io_ && !io_->pending.empty()) {
      std::string buffered = std::move(io_->pending);
      io_->pending = std::string();
      release_if_idle();
      if (process(reinterpret_cast<const std::uint8_t*>(buffered.data()), buffered.size())) return;
    }
    wait_readable();
  }

  void release_read_buffer() { parser_.release(); }

  // Sends each buffer as one binary message, all in one gathered write:
  // on_write(ec) once.
  void write(std::vector<boost::asio::const_buffer> messages) {
    io().messages = std::move(messages);
    data_waiting_ = true;
    pump();
  }

  // Sends a close frame and tears the connection down (no on_* callback).
  void close(std::uint16_t code, std::string_view reason) { queue_close(ws_encode_close(code, reason)); }

 private:
  enum class Phase : std::uint8_t { handshake, open, closing };

  // What a connection buffers only while it is busy, behind one pointer:
  // an idle connection pays 8 bytes for it instead of 144.
  struct Io {
    std::string pending;                              // received bytes after a delivered message, not parsed yet
    std::string ctrl;                                 // control frames waiting for the write in progress
    std::string out;                                  // the handshake answer or control frames being written
    std::vector<boost::asio::const_buffer> messages;  // the session's messages waiting or being written
    std::vector<std::uint8_t> headers;                // their frame headers while being written
  };
  Io& io() {
    if (!io_) io_ = std::make_unique<Io>();
    return *io_;
  }
  // Frees io_ once nothing in it is waiting or referenced by a pending write.
  void release_if_idle() {
    if (io_ && !writing_ && io_->pending.empty() && io_->ctrl.empty() && io_->out.empty() && io_->messages.empty()) {
      io_.reset();
    }
  }

  // Whatever string_view Beast was configured with.
  static std::string_view header_value(const boost::beast::http::request<boost::beast::http::string_body>& request,
                                       boost::beast::http::field field) {
    const auto v = request[field];
    return {v.data(), v.size()};
  }

  void arm_timer(std::chrono::seconds after) {
    timer_.expires_after(after);
    timer_.async_wait([this, weak = owner_.weak_from_this()](error_code ec) {
      // The timer never keeps the session alive; a destroyed one is left alone.
      auto self = weak.lock();
      if (ec || !self) return;
      on_timer();
    });
  }

  void on_timer() {
    if (phase_ == Phase::open) {
      if (activity_) {
        activity_ = false;
        ping_sent_ = false;
      } else if (!ping_sent_) {
        ping_sent_ = true;
        io().ctrl += ws_encode_control(WsOpcode::ping, {});
        pump();
      } else {
        return time_out();
      }
      return arm_timer(idle_timeout_ / 2);
    }
    time_out();  // handshake or close handshake took too long
  }

  void time_out() {
    timed_out_ = true;
    close_socket();
  }

  void close_socket() {
    error_code ec;
    socket_.close(ec);
    timer_.cancel();
  }

  void wait_readable() {
    if (waiting_ || !socket_.is_open()) return;
    if (!reading_ && !draining_) return;
    waiting_ = true;
    socket_.async_wait(tcp::socket::wait_read,
                       [this, self = owner_.shared_from_this()](error_code ec) { on_readable(ec); });
  }

  void on_readable(error_code ec) {
    waiting_ = false;
    if (ec) {
      if (timed_out_) ec = boost::beast::error::timeout;
      close_socket();
      return fail_read(ec);
    }
    // One scratch buffer per thread: an idle connection owns no read buffer.
    thread_local std::array<std::uint8_t, 16384> scratch;
    for (;;) {
      const std::size_t n = socket_.read_some(boost::asio::buffer(scratch), ec);
      if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) return wait_readable();
      if (ec) {
        close_socket();
        return fail_read(ec);
      }
      activity_ = true;
      if (draining_) continue;  // teardown: discard until the peer closes
      if (process(scratch.data(), n)) return;
      if (!reading_) return;
    }
  }

  // Parses `data`; true when it delivered something (or stopped reading),
  // with any bytes after the delivered message kept for the next read().
  bool process(const std::uint8_t* data, std::size_t size) {
    using Event = WsFrameParser::Event;
    std::size_t pos = 0;
    while (pos < size) {
      std::size_t used = 0;
      const Event e = parser_.parse(data + pos, size - pos, used);
      pos += used;
      switch (e) {
        case Event::none:
          break;
        case Event::ping:
          io().ctrl += ws_encode_control(WsOpcode::pong, parser_.payload());
          pump();
          break;
        case Event::pong:
          break;
        case Event::binary:
        case Event::text: {
          if (pos < size) io().pending.assign(reinterpret_cast<const char*>(data + pos), size - pos);
          reading_ = false;
          const std::string& m = parser_.payload();
          owner_.on_read({}, m.data(), m.size(), e == Event::binary);
          return true;
        }
        case Event::close: {
          // Echo the peer's code (RFC 6455 §5.5.1); none if it sent none.
          const std::uint16_t code = parser_.close_code();
          queue_close(code == kWsCloseNoStatus ? ws_encode_control(WsOpcode::close, {}) : ws_encode_close(code, {}));
          fail_read(boost::beast::websocket::error::closed);
          return true;
        }
        case Event::protocol_error:
          queue_close(ws_encode_close(kWsCloseProtocolError, "protocol error"));
          fail_read(boost::beast::websocket::error::bad_data_frame);
          return true;
        case Event::too_big:
          queue_close(ws_encode_close(kWsCloseTooBig, "message too big"));
          fail_read(boost::beast::websocket::error::message_too_big);
          return true;
      }
    }
    return false;
  }

  void fail_read(error_code ec) {
    parser_.release();
    if (io_) {
      io_->pending = std::string();
      release_if_idle();
    }
    if (!reading_) return;
    reading_ = false;
    owner_.on_read(ec, nullptr, 0, false);
  }

  void queue_close(std::string frame) {
    if (close_queued_) return;
    close_queued_ = true;
    phase_ = Phase::closing;
    io().ctrl += frame;
    arm_timer(close_timeout_);
    pump();
  }

  // Starts the next write: queued control frames first, then the session's
  // message. Nothing is written after the close frame.
  void pump() {
    if (writing_ || phase_ == Phase::handshake) return;
    if (!socket_.is_open() || close_written_) return fail_write();
    if (io_ && !io_->ctrl.empty()) {
      writing_ = true;
      io_->out = std::move(io_->ctrl);
      io_->ctrl = std::string();
      const bool with_close = close_queued_;
      boost::asio::async_write(socket_, boost::asio::buffer(io_->out),
                               [this, self = owner_.shared_from_this(), with_close](error_code ec, std::size_t) {
                                 writing_ = false;
                                 io_->out = std::string();
                                 release_if_idle();
                                 if (ec) {
                                   close_socket();
                                 } else if (with_close) {
                                   close_written_ = true;
                                   teardown();
                                 }
                                 pump();
                               });
      return;
    }
    if (!data_waiting_) return;
    if (close_queued_) return fail_write();
    writing_ = true;
    // One header of at most 10 bytes per message, then header, payload, ...
    Io& b = io();
    b.headers.resize(b.messages.size() * 10);
    std::vector<boost::asio::const_buffer> buffers;
    buffers.reserve(2 * b.messages.size());
    for (std::size_t i = 0; i < b.messages.size(); ++i) {
      std::uint8_t h[10];
      const std::size_t n = ws_encode_header(h, WsOpcode::binary, b.messages[i].size());
      std::copy_n(h, n, b.headers.data() + 10 * i);
      buffers.push_back(boost::asio::buffer(b.headers.data() + 10 * i, n));
      buffers.push_back(b.messages[i]);
    }
    boost::asio::async_write(socket_, buffers, [this, self = owner_.shared_from_this()](error_code ec, std::size_t) {
      writing_ = false;
      data_waiting_ = false;
      io_->messages = {};
      io_->headers = {};
      release_if_idle();
      if (ec) close_socket();
      owner_.on_write(ec);
      pump();
    });
  }

  // The session's messages cannot be sent any more.
  void fail_write() {
    if (!data_waiting_) return;
    data_waiting_ = false;
    if (io_) {
      io_->messages = {};
      release_if_idle();
    }
    owner_.on_write(boost::beast::websocket::error::closed);
  }

  // Our close frame is out: no more data from us, discard theirs until they
  // close TCP (or the close timeout set by queue_close fires).
  void teardown() {
    error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    draining_ = true;
    fail_read(boost::beast::websocket::error::closed);
    wait_readable();
  }

  tcp::socket socket_;
  boost::asio::steady_timer timer_;
  WsFrameParser parser_;
  S& owner_;
  std::unique_ptr<Io> io_;  // only while something is buffered (idle: none)
  std::chrono::seconds idle_timeout_{60};
  std::chrono::seconds close_timeout_{10};
  Phase phase_ = Phase::handshake;
  bool reading_ = false;       // the session waits for on_read
  bool waiting_ = false;       // an async_wait is pending
  bool writing_ = false;       // an async_write is pending
  bool data_waiting_ = false;  // io_->messages not yet acknowledged with on_write
  bool draining_ = false;      // teardown: reading only to see the peer's FIN
  bool close_queued_ = false;  // our close frame is queued or written
  bool close_written_ = false;
  bool activity_ = false;  // a byte arrived in this half of the idle timeout
  bool ping_sent_ = false;
  bool timed_out_ = false;
};

}  // namespace hush::server::net
