#include "chat_terminal.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>

namespace hush::app {

namespace {

// Alternate screen (the shell's screen comes back afterwards), cursor
// hidden while drawing; undone in reverse on exit.
constexpr const char* kEnter = "\x1b[?1049h\x1b[H\x1b[2J";
constexpr const char* kLeave = "\x1b[?25h\x1b[?1049l";

}  // namespace

ChatTerminal::ChatTerminal(int fd) : fd_(fd) {
  if (::isatty(fd_) == 0 || ::tcgetattr(fd_, &saved_) != 0) return;
  termios raw = saved_;
  // Raw input: bytes as typed, no echo, no signals from ^C/^Z/^\ (the chat
  // handles them), no flow control, CR not turned into NL. Output
  // processing stays on: the screen is drawn with absolute positions.
  raw.c_iflag &= ~static_cast<tcflag_t>(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
  raw.c_lflag &= ~static_cast<tcflag_t>(ECHO | ICANON | IEXTEN | ISIG);
  raw.c_cflag |= CS8;
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  if (::tcsetattr(fd_, TCSAFLUSH, &raw) != 0) return;
  ok_ = true;
  write_all(kEnter);
}

ChatTerminal::~ChatTerminal() {
  if (!ok_) return;
  write_all(kLeave);
  ::tcsetattr(fd_, TCSAFLUSH, &saved_);
}

void ChatTerminal::size(int& rows, int& cols) const {
  winsize ws{};
  if (::ioctl(fd_, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
    rows = ws.ws_row;
    cols = ws.ws_col;
  } else {
    rows = 24;
    cols = 80;
  }
}

void ChatTerminal::write_all(const std::string& bytes) const {
  std::size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + off, bytes.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<std::size_t>(n);
  }
}

std::vector<Key> KeyDecoder::feed(const char* data, std::size_t n) {
  pending_.append(data, n);
  std::vector<Key> keys;
  std::size_t i = 0;
  auto text = [&](char c) {
    if (keys.empty() || keys.back().type != Key::Type::text) keys.push_back(Key{Key::Type::text, {}});
    keys.back().text.push_back(c);
  };
  while (i < pending_.size()) {
    const auto c = static_cast<unsigned char>(pending_[i]);
    if (c == 0x1b) {
      // ESC [ params final, or ESC O x, or a lone ESC.
      if (i + 1 >= pending_.size()) break;  // wait for the rest
      const char next = pending_[i + 1];
      if (next == '[') {
        std::size_t j = i + 2;
        while (j < pending_.size() &&
               (static_cast<unsigned char>(pending_[j]) < 0x40 || static_cast<unsigned char>(pending_[j]) > 0x7e))
          ++j;
        if (j >= pending_.size()) break;
        i = j + 1;
      } else if (next == 'O') {
        if (i + 2 >= pending_.size()) break;
        i += 3;
      } else {
        i += 1;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '\r':
      case '\n':
        keys.push_back(Key{Key::Type::enter, {}});
        break;
      case 0x7f:
      case 0x08:
        keys.push_back(Key{Key::Type::backspace, {}});
        break;
      case 0x04:
        keys.push_back(Key{Key::Type::end_of_input, {}});
        break;
      case 0x03:
        keys.push_back(Key{Key::Type::interrupt, {}});
        break;
      case 0x15:
        keys.push_back(Key{Key::Type::clear_line, {}});
        break;
      default:
        if (c >= 0x20) text(static_cast<char>(c));  // other control keys are ignored
    }
  }
  pending_.erase(0, i);
  return keys;
}

}  // namespace hush::app
