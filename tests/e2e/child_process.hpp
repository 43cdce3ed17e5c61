// Starting child programs for the e2e tests: fork + exec with stdout and
// stderr appended to files. The child gets SIGKILL when the thread that
// started it exits (PR_SET_PDEATHSIG), so start long-lived children from the
// test's main thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hush/result.hpp"

namespace hush::e2e {

// One program to start. The child inherits this process's environment with
// `env` applied on top, in order (a value sets, nullopt removes the
// variable; a later entry for the same name wins).
struct Command {
  std::vector<std::string> args;  // args[0] is the program's path
  std::vector<std::pair<std::string, std::optional<std::string>>> env;
  std::filesystem::path in;        // empty: inherit our stdin
  std::filesystem::path out, err;  // appended to (created 0600)
  // setsid(): the child has no controlling terminal, so a program that would
  // prompt on /dev/tty cannot, and the tests never block on a prompt.
  bool new_session = false;
};

// Errors: storage (fork failed).
Result<pid_t> spawn(const Command& command);
Result<pid_t> spawn(const std::vector<std::string>& args, const std::filesystem::path& out,
                    const std::filesystem::path& err);
// Waits up to `timeout` for `pid`: its exit code, or nullopt if it died from
// a signal or is still running (then it is killed and reaped).
std::optional<int> wait_or_kill(pid_t pid, std::chrono::milliseconds timeout);
// spawn + wait_or_kill.
std::optional<int> run(const Command& command, std::chrono::milliseconds timeout);
std::optional<int> run(const std::vector<std::string>& args, const std::filesystem::path& out,
                       const std::filesystem::path& err, std::chrono::milliseconds timeout);

std::string read_file(const std::filesystem::path& file);

}  // namespace hush::e2e
