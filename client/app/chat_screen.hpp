// What `hush chat` shows, and how it is drawn: a header (peer, verification
// state, connection state), the conversation scrolled to its end, a status
// line, and the input line at the bottom. render() returns one frame of
// ANSI escapes for the given size; the whole screen is redrawn each time
// (a chat screen is small, and it keeps resizes trivial).
#pragma once

#include <string>
#include <vector>

namespace hush::app {

struct ChatLine {
  std::string time;  // "HH:MM"
  std::string who;   // "me" or the peer
  std::string text;
  bool notice = false;  // a status notice, not a message
};

class ChatScreen {
 public:
  explicit ChatScreen(std::string peer) : peer_(std::move(peer)) {}

  void add_line(ChatLine line);
  void set_trust(std::string trust) { trust_ = std::move(trust); }
  void set_connection(std::string state) { connection_ = std::move(state); }
  void set_status(std::string status) { status_ = std::move(status); }

  // Line editing.
  void insert(const std::string& utf8) { input_ += utf8; }
  void backspace();
  void clear_input() { input_.clear(); }
  std::string take_input();
  const std::string& input() const { return input_; }

  std::string render(int rows, int cols) const;

 private:
  std::string peer_;
  std::string trust_ = "unverified";
  std::string connection_ = "connecting";
  std::string status_;
  std::vector<ChatLine> lines_;
  std::string input_;
};

}  // namespace hush::app
