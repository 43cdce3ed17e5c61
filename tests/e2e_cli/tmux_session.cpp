#include "tmux_session.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "child_process.hpp"

namespace hush::e2e_cli {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kTmuxCallTimeout = 10s;
constexpr char kSession[] = "hush";
constexpr char kExitedLine[] = "[command exited with status]";
std::atomic<int> g_sessions{0};

}  // namespace

std::optional<std::filesystem::path> TmuxSession::tmux_path() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string d; std::getline(dirs, d, ':');) {
    const auto candidate = std::filesystem::path(d) / "tmux";
    if (!d.empty() && access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

TmuxSession::TmuxSession(std::filesystem::path work_dir)
    : work_dir_(std::move(work_dir)), socket_((work_dir_ / ("tmux-" + std::to_string(++g_sessions) + ".sock")).string()) {
  std::filesystem::create_directories(work_dir_);
}

TmuxSession::~TmuxSession() {
  // Whatever state the test left: no tmux server (and so no hush chat)
  // survives it, and no socket is left behind.
  tmux({"kill-server"});
  std::error_code ec;
  std::filesystem::remove(socket_, ec);
}

std::optional<int> TmuxSession::tmux(const std::vector<std::string>& args, std::string* out) {
  const auto path = tmux_path();
  if (!path) return std::nullopt;
  e2e::Command c;
  c.args = {path->string(), "-S", socket_, "-f", (work_dir_ / "tmux.conf").string()};
  c.args.insert(c.args.end(), args.begin(), args.end());
  const int n = ++calls_;
  c.out = work_dir_ / ("tmux-" + std::to_string(n) + ".out");
  c.err = work_dir_ / ("tmux-" + std::to_string(n) + ".err");
  c.in = "/dev/null";
  c.env = {{"TMUX", std::nullopt}};  // also when the tests themselves run inside tmux
  const auto status = e2e::run(c, kTmuxCallTimeout);
  // stdout, and on failure what tmux said on stderr.
  if (out) *out = e2e::read_file(c.out) + (status == 0 ? "" : e2e::read_file(c.err));
  std::error_code ec;
  std::filesystem::remove(c.out, ec);
  std::filesystem::remove(c.err, ec);
  return status;
}

std::string TmuxSession::start(const std::string& shell_command, int width, int height) {
  if (!tmux_path()) return "tmux is not installed (tools/install-deps.sh installs it)";
  // No status line (the pane gets every row); the window is born at its
  // size (a later resize would push the first lines into the history); the
  // pane outlives its command.
  std::ofstream(work_dir_ / "tmux.conf") << "set -g status off\nset -g default-size " << width << "x" << height
                                         << "\nset -g remain-on-exit on\nset -g default-shell /bin/sh\n";
  std::error_code ec;
  std::filesystem::remove(exit_file(), ec);
  // The exit status comes from a wrapper, not from tmux: tmux 3.3a sometimes
  // marks a pane dead without ever collecting its status (#{pane_dead_status}
  // stays empty), and its server may then exit.
  const std::string wrapped = shell_command + "; s=$?; echo; echo '" + kExitedLine + "' $s; echo $s > '" +
                              exit_file().string() + "'";
  std::string out;
  const auto status = tmux({"new-session", "-d", "-s", kSession, "-x", std::to_string(width), "-y",
                            std::to_string(height), wrapped},
                           &out);
  if (status != 0) return "tmux new-session failed: " + out;
  return "";
}

std::optional<std::string> TmuxSession::capture(bool with_history) {
  std::string out;
  std::vector<std::string> args{"capture-pane", "-p", "-t", kSession};
  if (with_history) args.insert(args.end(), {"-S", "-"});
  if (tmux(args, &out) != 0) return std::nullopt;
  last_capture_ = out;
  return out;
}

bool TmuxSession::wait_for_text(const std::string& text, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto pane = capture();
    if (pane && pane->find(text) != std::string::npos) return true;
    if (!pane || Clock::now() > deadline) return false;
    if (exit_status()) {  // the program is gone: what it left is final
      wait_exit(0ms);
      return last_capture_.find(text) != std::string::npos;
    }
    std::this_thread::sleep_for(50ms);
  }
}

bool TmuxSession::type(const std::string& literal, const std::string& key) {
  if (!literal.empty() && tmux({"send-keys", "-t", kSession, "-l", literal}) != 0) return false;
  return key.empty() || tmux({"send-keys", "-t", kSession, key}) == 0;
}

std::optional<int> TmuxSession::exit_status() {
  const std::string text = e2e::read_file(exit_file());
  if (text.empty() || text.back() != '\n') return std::nullopt;
  try {
    return std::stoi(text);
  } catch (const std::exception&) {
    return -1;
  }
}

std::optional<int> TmuxSession::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (auto status = exit_status()) {
      // The screen the program left, up to the wrapper's line after it.
      const auto drawn = Clock::now() + 2s;
      while (capture(true) && last_capture_.find(kExitedLine) == std::string::npos && Clock::now() < drawn)
        std::this_thread::sleep_for(20ms);
      return status;
    }
    if (Clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(50ms);
  }
}

}  // namespace hush::e2e_cli
