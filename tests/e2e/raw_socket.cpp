#include "raw_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace hush::e2e {
namespace {
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}
}  // namespace

RawSocket::RawSocket(std::uint16_t port, const std::string& source) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  sockaddr_in local{};
  local.sin_family = AF_INET;
  inet_pton(AF_INET, source.c_str(), &local.sin_addr);
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
      ::connect(fd_, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

RawSocket::~RawSocket() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawSocket::send_all(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool RawSocket::read_some(milliseconds timeout) {
  if (eof_) return false;
  pollfd p{fd_, POLLIN, 0};
  const int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (r <= 0) return true;  // nothing yet
  char chunk[16384];
  const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) {
    eof_ = true;  // EOF or reset: either way the server is done with us
    return false;
  }
  buffer_.append(chunk, static_cast<std::size_t>(n));
  return true;
}

RawHttpAnswer RawSocket::read_http_answer(milliseconds timeout) {
  RawHttpAnswer answer;
  const auto deadline = Clock::now() + timeout;
  std::size_t head_end = std::string::npos;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!read_some(milliseconds(remaining_ms(deadline))) || Clock::now() >= deadline) break;
  }
  if (head_end == std::string::npos) {
    answer.closed = eof_;
    return answer;
  }
  answer.head = buffer_.substr(0, head_end);
  if (answer.head.rfind("HTTP/1.", 0) == 0 && answer.head.size() >= 12)
    answer.status = static_cast<unsigned>(std::atoi(answer.head.c_str() + 9));
  std::size_t length = 0;
  for (std::size_t pos = 0; (pos = answer.head.find("\r\n", pos)) != std::string::npos;) {
    pos += 2;
    std::string line = answer.head.substr(pos, answer.head.find("\r\n", pos) - pos);
    for (std::size_t i = 0; i < line.size() && line[i] != ':'; ++i) line[i] = static_cast<char>(std::tolower(line[i]));
    if (line.rfind("content-length:", 0) == 0) length = std::strtoul(line.c_str() + 15, nullptr, 10);
  }
  buffer_.erase(0, head_end + 4);
  while (buffer_.size() < length && read_some(milliseconds(remaining_ms(deadline))) && Clock::now() < deadline) {
  }
  answer.body = buffer_.substr(0, length);
  buffer_.erase(0, std::min(length, buffer_.size()));
  // A closing server has sent everything by now; a short wait tells.
  read_some(milliseconds(50));
  answer.closed = eof_;
  return answer;
}

bool RawSocket::wait_closed(milliseconds timeout, std::string* received) {
  const auto deadline = Clock::now() + timeout;
  while (!eof_ && Clock::now() < deadline) read_some(milliseconds(std::min(remaining_ms(deadline), 100)));
  if (received) *received = buffer_;
  return eof_;
}

}  // namespace hush::e2e
