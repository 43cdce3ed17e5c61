// The relay WebSocket over Beast's websocket::stream, for TLS connections
// (the TLS state dwarfs the stream's own, so RawWebSocket's savings would not
// matter there). Same owner contract as RawWebSocket (raw_websocket.hpp).
// Included by websocket_session.cpp only.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "config/server_config.hpp"
#include "net/websocket_start.hpp"

namespace hush::server::net {

template <class S, class NextLayer>
class BeastWebSocket {
 public:
  using error_code = boost::beast::error_code;

  template <class Arg>
  BeastWebSocket(Arg&& next_layer, S& owner, std::size_t max_message)
      : ws_(std::forward<Arg>(next_layer)), owner_(owner) {
    ws_.read_message_max(max_message);
  }

  auto get_executor() { return ws_.get_executor(); }

  void accept(const boost::beast::http::request<boost::beast::http::string_body>& request, const Limits& limits) {
    namespace websocket = boost::beast::websocket;
    websocket::stream_base::timeout timeout{};
    timeout.handshake_timeout = limits.header_timeout;
    timeout.idle_timeout = limits.ws_idle_timeout;
    timeout.keep_alive_pings = true;
    ws_.set_option(timeout);
    ws_.auto_fragment(false);
    ws_.binary(true);
    ws_.async_accept(request, [this, self = owner_.shared_from_this()](error_code ec) { owner_.on_accept(ec); });
  }

  void read() {
    ws_.async_read(buffer_, [this, self = owner_.shared_from_this()](error_code ec, std::size_t) {
      if (ec) return owner_.on_read(ec, nullptr, 0, false);
      const auto data = buffer_.data();
      owner_.on_read({}, static_cast<const char*>(data.data()), data.size(), ws_.got_binary());
    });
  }

  void release_read_buffer() {
    buffer_.clear();
    buffer_.shrink_to_fit();
  }

  // One message per buffer, one after the other; on_write once at the end.
  void write(std::vector<boost::asio::const_buffer> messages) {
    messages_ = std::move(messages);
    next_ = 0;
    write_next();
  }

  void close(std::uint16_t code, std::string_view reason) {
    boost::beast::websocket::close_reason cr(static_cast<boost::beast::websocket::close_code>(code),
                                             boost::beast::string_view(reason.data(), reason.size()));
    ws_.async_close(cr, [self = owner_.shared_from_this()](error_code ec) {
      if (ec) log_failure(ec, "ws_close");
    });
  }

 private:
  void write_next() {
    if (next_ == messages_.size()) {
      std::vector<boost::asio::const_buffer>().swap(messages_);
      return owner_.on_write({});
    }
    ws_.async_write(messages_[next_++], [this, self = owner_.shared_from_this()](error_code ec, std::size_t) {
      if (ec) {
        std::vector<boost::asio::const_buffer>().swap(messages_);
        return owner_.on_write(ec);
      }
      write_next();
    });
  }

  boost::beast::websocket::stream<NextLayer> ws_;
  std::vector<boost::asio::const_buffer> messages_;
  std::size_t next_ = 0;
  boost::beast::flat_buffer buffer_;
  S& owner_;
};

}  // namespace hush::server::net
