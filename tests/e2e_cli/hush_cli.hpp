// Running the `hush` terminal client as its users would: each user has a
// home of their own (HUSH_DATA_DIR, HOME, a passphrase), every invocation
// has a deadline, and its stdout and stderr land in numbered files under the
// user's home so a failure message can show them.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "child_process.hpp"

namespace hush::e2e_cli {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

// Sanitizer builds run hush and hushd several times slower.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr int kSlowdown = 4;
#else
inline constexpr int kSlowdown = 1;
#endif
constexpr milliseconds scaled(milliseconds t) { return t * kSlowdown; }

// The deadline of one short hush command (init, send, listen --once, ...).
inline constexpr milliseconds kCommandTimeout = scaled(20s);

// Where the build put hush (HUSH_BIN_DIR/hush).
std::filesystem::path hush_path();

// One person using hush: their own data directory and passphrase.
struct HushUser {
  std::string name;                 // the account name they register
  std::filesystem::path home;       // data/ (HUSH_DATA_DIR), out/ (captured output), HOME
  std::string passphrase;
  std::string profile = "default";  // HUSH_PROFILE

  std::filesystem::path data_dir() const { return home / "data"; }
  std::filesystem::path profile_dir() const { return data_dir() / "profiles" / profile; }
  // hush with `args`, this user's environment and fresh output files.
  // `env` is applied last (e.g. a wrong HUSH_PASSPHRASE, or nullopt to unset it).
  e2e::Command command(const std::vector<std::string>& args,
                       const std::vector<std::pair<std::string, std::optional<std::string>>>& env = {}) const;
  // The same as one sh command line (for a tmux pane): `env VAR=... hush ARGS`.
  std::string shell_command(const std::vector<std::string>& args,
                            const std::vector<std::pair<std::string, std::optional<std::string>>>& env = {}) const;
};

// `value` quoted for sh: 'value' with embedded quotes escaped.
std::string shell_quote(const std::string& value);

// What one finished hush invocation left.
struct CliResult {
  std::optional<int> exit;  // nullopt: killed at its deadline, or died from a signal
  std::string out, err;
  std::string command_line;

  // "`hush send bob x` exit 0; stdout: ...; stderr: ..." for failure messages.
  std::string describe() const;
  // Every complete stdout line that parses as JSON (other lines are skipped).
  std::vector<nlohmann::json> json_lines() const;
  // stdout as one JSON document (null if it does not parse).
  nlohmann::json json() const;
  std::vector<std::string> lines() const;
};

// Runs hush to completion (killed at `timeout`).
CliResult run_hush(const HushUser& user, const std::vector<std::string>& args, milliseconds timeout = kCommandTimeout,
                   const std::vector<std::pair<std::string, std::optional<std::string>>>& env = {});

// A long-running hush (`listen` without --once, ...). SIGKILL in the
// destructor and, through PR_SET_PDEATHSIG, when the starting thread ends:
// start it from the test's main thread.
class HushProcess {
 public:
  // Null (with the reason in `error`) if the process could not be started.
  static std::unique_ptr<HushProcess> start(const HushUser& user, const std::vector<std::string>& args,
                                            std::string* error = nullptr);
  ~HushProcess();
  HushProcess(const HushProcess&) = delete;
  HushProcess& operator=(const HushProcess&) = delete;

  pid_t pid() const noexcept { return pid_; }
  bool running();
  std::string out() const;
  std::string err() const;
  std::string describe() const;
  // Complete stdout lines that parse as JSON (a line cut short by a kill is skipped).
  std::vector<nlohmann::json> json_lines() const;
  // Polls stdout until `done(json_lines())` holds or `timeout` passes (or the
  // process exits without it holding): whether it held.
  bool wait_for(const std::function<bool(const std::vector<nlohmann::json>&)>& done, milliseconds timeout);

  void kill9();
  // Sends `signal`, waits up to `timeout`: the exit code, or nullopt if it
  // did not exit by itself (then it is killed).
  std::optional<int> stop(int signal, milliseconds timeout);

 private:
  HushProcess(std::string command_line, std::filesystem::path out, std::filesystem::path err, pid_t pid)
      : command_line_(std::move(command_line)), out_(std::move(out)), err_(std::move(err)), pid_(pid) {}

  std::string command_line_;
  std::filesystem::path out_, err_;
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// The {"type":"message"} events among listen/history JSON lines.
std::vector<nlohmann::json> messages_in(const std::vector<nlohmann::json>& lines);
// Their "body" fields, in order.
std::vector<std::string> bodies_of(const std::vector<nlohmann::json>& messages);
// Their "id" fields, in order.
std::vector<std::string> ids_of(const std::vector<nlohmann::json>& messages);

// The id in `sent to USER (id HEX32)`, empty if `out` has no such line for `to`.
std::string sent_id(const std::string& out, const std::string& to);

// Milliseconds since the Unix epoch.
std::int64_t now_ms();

}  // namespace hush::e2e_cli
