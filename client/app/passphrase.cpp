// The passphrase: $HUSH_PASSPHRASE for scripts, else a prompt on the
// controlling terminal with echo off (termios). stdin is not used, so
// `echo text | hush send bob -` style pipes never swallow it.
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <optional>
#include <string>

#include "app.hpp"

namespace hush::app {

namespace {

// While echo is off: a Ctrl-C must not leave the user's terminal silent.
// The handler restores the settings (tcsetattr is async-signal-safe) and
// dies of the signal as it would have.
int g_tty_fd = -1;
termios g_tty_saved{};

void restore_and_die(int sig) {
  if (g_tty_fd >= 0) ::tcsetattr(g_tty_fd, TCSAFLUSH, &g_tty_saved);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// Closes the terminal and restores its settings whatever path we leave by.
class Tty {
 public:
  Tty() : fd_(::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) {}
  ~Tty() {
    if (restore_) ::tcsetattr(fd_, TCSAFLUSH, &saved_);
    if (fd_ >= 0) ::close(fd_);
  }
  Tty(const Tty&) = delete;
  Tty& operator=(const Tty&) = delete;

  bool ok() const { return fd_ >= 0; }

  // One line typed without echo; nullopt on end of input or an error.
  std::optional<std::string> read_secret(std::string_view prompt) {
    write(prompt);
    termios t{};
    if (::tcgetattr(fd_, &saved_) != 0) return std::nullopt;
    t = saved_;
    t.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    t.c_lflag |= ICANON;
    g_tty_fd = fd_;
    g_tty_saved = saved_;
    struct sigaction sa {
    }, old_int{}, old_term{};
    sa.sa_handler = restore_and_die;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, &old_int);
    ::sigaction(SIGTERM, &sa, &old_term);
    if (::tcsetattr(fd_, TCSAFLUSH, &t) != 0) {
      ::sigaction(SIGINT, &old_int, nullptr);
      ::sigaction(SIGTERM, &old_term, nullptr);
      g_tty_fd = -1;
      return std::nullopt;
    }
    restore_ = true;
    std::string line;
    char c = 0;
    bool got_newline = false;
    for (;;) {
      const ssize_t n = ::read(fd_, &c, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      if (c == '\n' || c == '\r') {
        got_newline = true;
        break;
      }
      line.push_back(c);
    }
    ::tcsetattr(fd_, TCSAFLUSH, &saved_);
    restore_ = false;
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGTERM, &old_term, nullptr);
    g_tty_fd = -1;
    write("\n");
    if (!got_newline && line.empty()) return std::nullopt;
    return line;
  }

 private:
  void write(std::string_view s) {
    while (!s.empty()) {
      const ssize_t n = ::write(fd_, s.data(), s.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      s.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  int fd_;
  termios saved_{};
  bool restore_ = false;
};

}  // namespace

Result<std::string> read_passphrase(bool confirm) {
  if (const char* env = std::getenv("HUSH_PASSPHRASE"); env != nullptr) {
    if (confirm && *env == '\0') return make_error(Errc::bad_request, "the passphrase is empty");
    return std::string(env);
  }
  Tty tty;
  if (!tty.ok())
    return make_error(Errc::wrong_passphrase, "no passphrase: set HUSH_PASSPHRASE or run hush in a terminal");
  auto first = tty.read_secret("Passphrase: ");
  if (!first) return make_error(Errc::wrong_passphrase, "no passphrase entered");
  if (!confirm) return *first;
  if (first->empty()) return make_error(Errc::bad_request, "the passphrase is empty");
  auto second = tty.read_secret("Passphrase again: ");
  if (!second || *second != *first) return make_error(Errc::bad_request, "the passphrases do not match");
  return *first;
}

}  // namespace hush::app
