// A detached tmux server of its own (`tmux -S <socket in the work dir>`, our
// own config instead of ~/.tmux.conf) running one command in a pane of fixed size, so a
// full-screen program can be driven with send-keys and read with
// capture-pane. The pane stays after its command exits (remain-on-exit), so
// its last screen can be read; a wrapper records the exit status. The destructor kills that
// tmux server whatever happened; nothing else of the user's tmux is touched.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hush::e2e_cli {

class TmuxSession {
 public:
  // `work_dir` holds tmux's captured output. Nothing is started yet.
  explicit TmuxSession(std::filesystem::path work_dir);
  ~TmuxSession();
  TmuxSession(const TmuxSession&) = delete;
  TmuxSession& operator=(const TmuxSession&) = delete;

  // The tmux binary on PATH, or nullopt.
  static std::optional<std::filesystem::path> tmux_path();

  // `new-session -d -x WIDTH -y HEIGHT SHELL_COMMAND` (run by /bin/sh):
  // empty on success, else what went wrong. Once per TmuxSession.
  std::string start(const std::string& shell_command, int width, int height);
  // The pane's text now (capture-pane -p; with the history above the
  // screen if asked), or nullopt if tmux cannot say.
  std::optional<std::string> capture(bool with_history = false);
  // Polls capture() until it contains `text` (or `timeout` passes).
  bool wait_for_text(const std::string& text, std::chrono::milliseconds timeout);
  // send-keys: `literal` typed as is (-l), then `key` (e.g. "Enter") if not empty.
  bool type(const std::string& literal, const std::string& key = "Enter");
  // Waits until the pane's command has exited: its exit status, or nullopt
  // at the deadline. last_capture() then holds the final screen with its
  // history.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  // The exit status if the pane's command has exited (128 + N if signal N
  // killed it), else nullopt.
  std::optional<int> exit_status();
  // The last text capture() saw.
  const std::string& last_capture() const { return last_capture_; }
  const std::string& socket_path() const { return socket_; }

 private:
  std::optional<int> tmux(const std::vector<std::string>& args, std::string* out = nullptr);
  std::filesystem::path exit_file() const { return work_dir_ / "exit-status"; }

  std::filesystem::path work_dir_;
  std::string socket_;
  std::string last_capture_;
  int calls_ = 0;
};

}  // namespace hush::e2e_cli
