#include "signals.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>

namespace hush::app {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_resize{false};
int g_pipe[2] = {-1, -1};

void on_signal(int sig) {
  const int saved = errno;  // a handler must not disturb the interrupted code's errno
  if (sig == SIGWINCH)
    g_resize.store(true);
  else
    g_stop.store(true);
  if (g_pipe[1] >= 0) {
    const char b = 1;
    [[maybe_unused]] auto n = ::write(g_pipe[1], &b, 1);
  }
  errno = saved;
}

}  // namespace

void install_signal_handlers() {
  if (g_pipe[0] >= 0) return;
  if (::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) g_pipe[0] = g_pipe[1] = -1;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: blocking reads return EINTR and loops re-check
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGWINCH, &sa, nullptr);
}

bool stop_requested() {
  return g_stop.load();
}

bool take_resize() {
  return g_resize.exchange(false);
}

int signal_fd() {
  return g_pipe[0];
}

void drain_signal_fd() {
  char buf[64];
  while (g_pipe[0] >= 0 && ::read(g_pipe[0], buf, sizeof buf) > 0) {
  }
}

}  // namespace hush::app
