// One client WebSocket for the load tool, fully asynchronous on the
// io_context that owns it: connect (after binding a chosen source address),
// upgrade, then a read loop and a write queue with one write in flight.
// All callbacks and public calls run on that io_context's thread; nothing
// here is thread-safe, and nothing needs to be.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace hush::load {

struct WsCallbacks {
  std::function<void()> on_open;
  std::function<void(std::string_view data)> on_message;
  // The connection ended: close code from the server (0 if none) and why.
  std::function<void(std::uint16_t code, const std::string& reason)> on_close;
  // The write queue just became empty (a good moment for batched acks).
  std::function<void()> on_write_idle;
};

class WsConnection {
 public:
  WsConnection(boost::asio::io_context& ioc, WsCallbacks callbacks);
  ~WsConnection();
  WsConnection(const WsConnection&) = delete;
  WsConnection& operator=(const WsConnection&) = delete;

  // Starts connecting; on_open or on_close follows. `source` may be
  // unspecified (any). `authorization` empty: no header.
  void start(const boost::asio::ip::tcp::endpoint& remote, const boost::asio::ip::address& source,
             const std::string& host, const std::string& target, const std::string& authorization);
  // Queues one message (binary or text).
  void send(std::string data, bool binary);
  void close();
  bool open() const noexcept { return open_; }
  std::size_t queued() const noexcept;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  bool open_ = false;
};

}  // namespace hush::load
