#include "chat_screen.hpp"

#include <algorithm>

#include "app.hpp"

namespace hush::app {

namespace {

// Code points are counted as one column each (no East Asian width table:
// good enough for a chat line; wide characters only shorten the wrap).
bool continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xc0) == 0x80;
}

std::size_t columns(const std::string& s) {
  std::size_t n = 0;
  for (char c : s)
    if (!continuation(c)) ++n;
  return n;
}

// The first `cols` columns of s (whole code points).
std::string head(const std::string& s, std::size_t cols) {
  std::size_t n = 0, i = 0;
  for (; i < s.size(); ++i) {
    if (!continuation(s[i])) {
      if (n == cols) break;
      ++n;
    }
  }
  return s.substr(0, i);
}

// The last `cols` columns of s.
std::string tail(const std::string& s, std::size_t cols) {
  const std::size_t total = columns(s);
  if (total <= cols) return s;
  std::size_t skip = total - cols, n = 0, i = 0;
  for (; i < s.size(); ++i) {
    if (!continuation(s[i])) {
      if (n == skip) break;
      ++n;
    }
  }
  return s.substr(i);
}

// Splits text into rows of at most `cols` columns.
std::vector<std::string> wrap(const std::string& text, std::size_t cols) {
  std::vector<std::string> rows;
  std::string rest = text;
  if (cols == 0) return rows;
  while (columns(rest) > cols) {
    std::string row = head(rest, cols);
    rows.push_back(row);
    rest.erase(0, row.size());
  }
  rows.push_back(rest);
  return rows;
}

std::string at(int row, int col) {
  return "\x1b[" + std::to_string(row) + ";" + std::to_string(col) + "H";
}

}  // namespace

void ChatScreen::add_line(ChatLine line) {
  lines_.push_back(std::move(line));
  // Bounded memory in a long session; the history command has everything.
  constexpr std::size_t kKeep = 2000;
  if (lines_.size() > kKeep)
    lines_.erase(lines_.begin(), lines_.begin() + static_cast<std::ptrdiff_t>(lines_.size() - kKeep));
}

void ChatScreen::backspace() {
  while (!input_.empty() && continuation(input_.back())) input_.pop_back();
  if (!input_.empty()) input_.pop_back();
}

std::string ChatScreen::take_input() {
  std::string s;
  s.swap(input_);
  return s;
}

std::string ChatScreen::render(int rows, int cols) const {
  const auto width = static_cast<std::size_t>(std::max(cols, 10));
  std::string out = "\x1b[?25l";  // no cursor flicker while drawing

  // Header, reverse video.
  std::string header = " hush chat with " + terminal_safe(peer_) + "  |  " + trust_ + "  |  " + connection_;
  header = head(header, width);
  out += at(1, 1) + "\x1b[7m" + header + std::string(width - columns(header), ' ') + "\x1b[0m";

  // The conversation: the newest rows that fit.
  const int body_rows = std::max(rows - 3, 1);
  std::vector<std::string> body;
  for (auto it = lines_.rbegin(); it != lines_.rend() && static_cast<int>(body.size()) < body_rows; ++it) {
    const std::string prefix = it->notice ? "-- " : "[" + it->time + "] " + terminal_safe(it->who) + ": ";
    auto wrapped = wrap(prefix + terminal_safe(it->text), width);
    for (auto w = wrapped.rbegin(); w != wrapped.rend() && static_cast<int>(body.size()) < body_rows; ++w)
      body.push_back(*w);
  }
  std::reverse(body.begin(), body.end());
  for (int r = 0; r < body_rows; ++r) {
    out += at(2 + r, 1) + "\x1b[2K";
    if (r < static_cast<int>(body.size())) out += body[static_cast<std::size_t>(r)];
  }

  // Status line, dim.
  const std::string status = status_.empty() ? "Enter sends  |  /quit or Ctrl-D exits" : status_;
  out += at(rows - 1, 1) + "\x1b[2K\x1b[2m" + head(terminal_safe(status), width) + "\x1b[0m";

  // Input line: the end of what is typed, cursor after it.
  const std::string prompt = "> ";
  const std::string shown = tail(terminal_safe(input_), width - prompt.size() - 1);
  out += at(rows, 1) + "\x1b[2K" + prompt + shown;
  out += at(rows, static_cast<int>(prompt.size() + columns(shown)) + 1) + "\x1b[?25h";
  return out;
}

}  // namespace hush::app
