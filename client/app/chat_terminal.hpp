// The terminal for `hush chat`, with plain termios and ANSI escapes (no
// curses): raw mode, the alternate screen, the window size, and decoding
// of typed bytes into editing keys. Everything is restored by the
// destructor, whichever way the chat ends.
#pragma once

#include <termios.h>

#include <string>
#include <vector>

namespace hush::app {

class ChatTerminal {
 public:
  // Takes over `fd` (a terminal: isatty). ok() is false if it could not.
  explicit ChatTerminal(int fd);
  ~ChatTerminal();
  ChatTerminal(const ChatTerminal&) = delete;
  ChatTerminal& operator=(const ChatTerminal&) = delete;

  bool ok() const noexcept { return ok_; }
  int fd() const noexcept { return fd_; }
  // Rows and columns (24x80 when the terminal does not say).
  void size(int& rows, int& cols) const;
  // Writes a whole frame at once.
  void write_all(const std::string& bytes) const;

 private:
  int fd_;
  termios saved_{};
  bool ok_ = false;
};

// What a run of typed bytes means.
struct Key {
  enum class Type { text, backspace, enter, end_of_input, clear_line, interrupt };
  Type type = Type::text;
  std::string text;  // for text: the bytes typed (UTF-8)
};

// Decodes bytes read from the terminal; escape sequences (arrows, function
// keys) are consumed and ignored. Keeps an incomplete sequence for the next
// call.
class KeyDecoder {
 public:
  std::vector<Key> feed(const char* data, std::size_t n);

 private:
  std::string pending_;
};

}  // namespace hush::app
