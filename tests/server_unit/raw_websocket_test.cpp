// RawWebSocket (net/raw_websocket.hpp) on a real loopback socket against
// Beast's WebSocket client: several messages in one TCP segment arrive one by
// one and in order, keep-alive pings keep a reading client connected past the
// idle timeout, a client that answers nothing is closed at the timeout, and
// a close from the server reaches the client with its code.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "net/raw_websocket.hpp"

namespace hush::server::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// A session that echoes every message; what arrives while a write is in
// flight goes out in the next write, all together.
struct EchoSession : std::enable_shared_from_this<EchoSession> {
  EchoSession(tcp::socket socket, std::size_t max_message) : ws(std::move(socket), *this, max_message) {}

  void on_accept(beast::error_code ec) {
    accept_ec = ec;
    if (!ec) ws.read();
  }
  void on_read(beast::error_code ec, const char* data, std::size_t size, bool binary) {
    if (ec) {
      read_ec = ec;
      read_ended = std::chrono::steady_clock::now();
      return;
    }
    received.emplace_back(data, size);
    binaries += binary ? 1 : 0;
    ws.release_read_buffer();
    out.push_back(received.back());
    if (writing == 0) write_all();
    ws.read();
  }
  void write_all() {
    std::vector<asio::const_buffer> messages;
    for (const auto& m : out) messages.push_back(asio::buffer(m));
    writing = out.size();
    write_sizes.push_back(writing);
    ws.write(std::move(messages));
  }
  void on_write(beast::error_code ec) {
    if (ec) return;
    out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(writing));
    writing = 0;
    if (!out.empty()) write_all();
  }

  RawWebSocket<EchoSession> ws;
  beast::error_code accept_ec, read_ec;
  std::chrono::steady_clock::time_point read_ended{};
  std::vector<std::string> received;
  int binaries = 0;
  std::deque<std::string> out;  // out[0, writing) are being written
  std::size_t writing = 0;
  std::vector<std::size_t> write_sizes;
};

// One client frame, masked as RFC 6455 §5.3 requires.
std::string masked_binary(std::string_view payload) {
  const unsigned char mask[4] = {1, 2, 3, 4};
  std::string f;
  f.push_back(static_cast<char>(0x82));
  f.push_back(static_cast<char>(0x80 | payload.size()));  // < 126 bytes
  f.append(reinterpret_cast<const char*>(mask), 4);
  for (std::size_t i = 0; i < payload.size(); ++i) f.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
  return f;
}

class RawWebSocketTest : public ::testing::Test {
 protected:
  RawWebSocketTest() : acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    limits_.ws_idle_timeout = 2s;  // a keep-alive ping after 1 s of silence
    limits_.header_timeout = 2s;
  }

  // Accepts one connection, reads its upgrade request and starts the session.
  std::shared_ptr<EchoSession> accept_session() {
    tcp::socket socket = acceptor_.accept();
    beast::flat_buffer buffer;
    beast::http::request<beast::http::string_body> request;
    beast::http::read(socket, buffer, request);
    auto session = std::make_shared<EchoSession>(std::move(socket), 1024);
    session->ws.accept(request, limits_);
    return session;
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  Limits limits_;
};

TEST_F(RawWebSocketTest, MessagesInOneSegmentArriveInOrderAndPingsKeepAReaderOpen) {
  std::promise<std::vector<std::string>> echoes;
  std::promise<std::pair<beast::error_code, std::uint16_t>> end;
  std::thread client([&, port = port()] {
    asio::io_context cio;
    websocket::stream<tcp::socket> ws(cio);
    ws.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    ws.handshake("127.0.0.1", "/v1/websocket");
    // Three frames in one write: the server parses them from one read.
    asio::write(ws.next_layer(), asio::buffer(masked_binary("one") + masked_binary("two") + masked_binary("three")));
    std::vector<std::string> got;
    beast::flat_buffer buffer;
    for (int i = 0; i < 3; ++i) {
      ws.read(buffer);
      got.push_back(beast::buffers_to_string(buffer.data()));
      buffer.consume(buffer.size());
    }
    echoes.set_value(got);
    // Now silent, but reading: Beast answers the server's pings.
    beast::error_code ec;
    ws.read(buffer, ec);
    end.set_value({ec, static_cast<std::uint16_t>(ws.reason().code)});
  });
  auto session = accept_session();
  const auto started = std::chrono::steady_clock::now();
  ioc_.run_for(5s);  // 2.5 idle timeouts
  EXPECT_FALSE(session->read_ec) << "closed while the client answered pings: " << session->read_ec.message();
  session->ws.close(1000, "done");
  ioc_.restart();
  ioc_.run_for(3s);
  client.join();

  EXPECT_FALSE(session->accept_ec) << session->accept_ec.message();
  EXPECT_EQ(echoes.get_future().get(), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(session->binaries, 3);
  // "one" went out alone; "two" and "three", parsed meanwhile from the same
  // segment, in one gathered write.
  EXPECT_EQ(session->write_sizes, (std::vector<std::size_t>{1, 2}));
  const auto [ec, code] = end.get_future().get();
  EXPECT_EQ(ec, websocket::error::closed) << ec.message();
  EXPECT_EQ(code, 1000);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 5s);
}

TEST_F(RawWebSocketTest, AClientThatAnswersNoPingIsClosedAtTheIdleTimeout) {
  std::atomic<bool> done{false};
  std::thread client([&, port = port()] {
    asio::io_context cio;
    websocket::stream<tcp::socket> ws(cio);
    ws.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    ws.handshake("127.0.0.1", "/v1/websocket");
    // Never reads, so never answers a ping.
    while (!done.load()) std::this_thread::sleep_for(10ms);
  });
  auto session = accept_session();
  const auto started = std::chrono::steady_clock::now();
  ioc_.run_for(4s);
  done = true;
  client.join();
  ASSERT_EQ(session->read_ec, beast::error::timeout) << session->read_ec.message();
  // A ping after 1 s of silence, the close 1 s later.
  const auto after = session->read_ended - started;
  EXPECT_GE(after, 1500ms);
  EXPECT_LE(after, 3500ms);
}

TEST_F(RawWebSocketTest, AnUpgradeWithoutAValidKeyIsRefused) {
  std::promise<std::string> answer;
  std::thread client([&, port = port()] {
    asio::io_context cio;
    tcp::socket s(cio);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    asio::write(s, asio::buffer(std::string("GET /v1/websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                                            "Connection: upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                            "Sec-WebSocket-Key: c2hvcnQ=\r\n\r\n")));
    std::string got;
    beast::error_code ec;
    char buf[512];
    for (;;) {
      const std::size_t n = s.read_some(asio::buffer(buf), ec);
      if (ec) break;
      got.append(buf, n);
    }
    answer.set_value(got);
  });
  auto session = accept_session();
  ioc_.run_for(3s);
  client.join();
  EXPECT_EQ(session->accept_ec, websocket::error::bad_sec_key);
  EXPECT_EQ(answer.get_future().get().rfind("HTTP/1.1 400", 0), 0u);
}

}  // namespace
}  // namespace hush::server::net
