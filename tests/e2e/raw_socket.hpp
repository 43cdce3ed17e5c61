// A plain TCP socket for sending bytes no well-behaved client would send
// (malformed request lines, endless headers, half requests). Every read has
// a deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hush::e2e {

struct RawHttpAnswer {
  unsigned status = 0;     // 0: no status line arrived
  std::string head;        // status line and headers
  std::string body;
  bool closed = false;     // the server closed the connection afterwards (or instead)
};

class RawSocket {
 public:
  // Connects to 127.0.0.1:port from `source` (a loopback address). An
  // invalid socket (fd() < 0) when that fails.
  explicit RawSocket(std::uint16_t port, const std::string& source = "127.0.0.1");
  ~RawSocket();
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  int fd() const noexcept { return fd_; }
  bool ok() const noexcept { return fd_ >= 0; }
  // Writes everything; false when the connection broke.
  bool send_all(std::string_view bytes);
  // Reads one HTTP answer (head plus Content-Length body) within `timeout`,
  // then notes whether the server closed the connection.
  RawHttpAnswer read_http_answer(std::chrono::milliseconds timeout);
  // Waits up to `timeout` for the server to close (EOF or reset), reading
  // and discarding anything it sends. True if it closed.
  bool wait_closed(std::chrono::milliseconds timeout, std::string* received = nullptr);

 private:
  // Appends what arrives within `timeout` to buffer_; false on EOF/error.
  bool read_some(std::chrono::milliseconds timeout);

  int fd_ = -1;
  std::string buffer_;
  bool eof_ = false;
};

}  // namespace hush::e2e
