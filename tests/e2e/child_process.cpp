#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>
#include <thread>

extern char** environ;

namespace hush::e2e {
namespace {

// The child's environment as "NAME=VALUE" strings: ours with the overrides
// applied in order (the last one for a name wins).
std::vector<std::string> child_environment(const Command& command) {
  std::map<std::string, std::optional<std::string>> overrides;
  for (const auto& [key, value] : command.env) overrides[key] = value;
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry(*e);
    if (!overrides.count(entry.substr(0, entry.find('=')))) env.push_back(entry);
  }
  for (const auto& [key, value] : overrides)
    if (value) env.push_back(key + "=" + *value);
  return env;
}

}  // namespace

Result<pid_t> spawn(const Command& command) {
  // Everything the child needs is prepared before fork: between fork and
  // exec only async-signal-safe calls are allowed (we are multi-threaded).
  std::vector<char*> argv;
  for (const auto& a : command.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const std::vector<std::string> env = child_environment(command);
  std::vector<char*> envp;
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const std::string in_path = command.in.string(), out_path = command.out.string(), err_path = command.err.string();
  const bool new_session = command.new_session;
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return make_error(Errc::storage, "fork failed");
  if (pid == 0) {
    if (new_session) setsid();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the parent died before prctl
    if (!in_path.empty()) {
      const int i = open(in_path.c_str(), O_RDONLY | O_CLOEXEC);
      if (i < 0 || dup2(i, STDIN_FILENO) < 0) _exit(126);
    }
    const int o = open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    const int e = open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (o < 0 || e < 0 || dup2(o, STDOUT_FILENO) < 0 || dup2(e, STDERR_FILENO) < 0) _exit(126);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

Result<pid_t> spawn(const std::vector<std::string>& args, const std::filesystem::path& out,
                    const std::filesystem::path& err) {
  Command c;
  c.args = args;
  c.out = out;
  c.err = err;
  return spawn(c);
}

std::optional<int> wait_or_kill(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0) return std::nullopt;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return std::nullopt;
}

std::optional<int> run(const Command& command, std::chrono::milliseconds timeout) {
  auto pid = spawn(command);
  if (!pid) return std::nullopt;
  return wait_or_kill(*pid, timeout);
}

std::optional<int> run(const std::vector<std::string>& args, const std::filesystem::path& out,
                       const std::filesystem::path& err, std::chrono::milliseconds timeout) {
  auto pid = spawn(args, out, err);
  if (!pid) return std::nullopt;
  return wait_or_kill(*pid, timeout);
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace hush::e2e
