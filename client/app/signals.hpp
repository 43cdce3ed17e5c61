// SIGINT/SIGTERM (stop) and SIGWINCH (terminal resized) for the long-running
// commands. The handlers only set flags and write a byte to a self-pipe, so
// a poll(2) loop wakes up at once.
#pragma once

namespace hush::app {

// Installs the handlers (idempotent).
void install_signal_handlers();
// SIGINT or SIGTERM arrived.
bool stop_requested();
// SIGWINCH arrived since the last call.
bool take_resize();
// The read end of the self-pipe (non-blocking); drain it after waking.
int signal_fd();
void drain_signal_fd();

}  // namespace hush::app
