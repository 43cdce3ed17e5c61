#include "hush_cli.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

namespace hush::e2e_cli {
namespace {

using Clock = std::chrono::steady_clock;

// Output files are numbered per process so parallel invocations never share one.
std::atomic<int> g_invocation{0};

std::string shell_words(const std::vector<std::string>& args) {
  std::string s;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i) s += ' ';
    s += i == 0 ? std::filesystem::path(args[i]).filename().string() : args[i];
  }
  return s;
}

std::vector<std::string> complete_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(text.substr(start, nl - start));
  return lines;
}

std::vector<nlohmann::json> parse_json_lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  for (const auto& line : complete_lines(text)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded()) out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

std::filesystem::path hush_path() { return std::filesystem::path(HUSH_BIN_DIR) / "hush"; }

e2e::Command HushUser::command(const std::vector<std::string>& args,
                               const std::vector<std::pair<std::string, std::optional<std::string>>>& env) const {
  e2e::Command c;
  c.args.push_back(hush_path().string());
  c.args.insert(c.args.end(), args.begin(), args.end());
  // Only this user's settings: nothing from the developer's own hush setup.
  c.env = {{"HUSH_DATA_DIR", data_dir().string()},
           {"HUSH_PASSPHRASE", passphrase},
           {"HUSH_PROFILE", profile},
           {"HOME", home.string()},
           {"XDG_DATA_HOME", std::nullopt}};
  c.env.insert(c.env.end(), env.begin(), env.end());
  c.in = "/dev/null";
  c.new_session = true;  // no controlling terminal: hush can never sit at a prompt
  const int n = ++g_invocation;
  std::error_code ec;  // make_user created it; never throw from parallel callers
  std::filesystem::create_directories(home / "out", ec);
  c.out = home / "out" / (std::to_string(n) + ".out");
  c.err = home / "out" / (std::to_string(n) + ".err");
  return c;
}

std::string HushUser::shell_command(
    const std::vector<std::string>& args,
    const std::vector<std::pair<std::string, std::optional<std::string>>>& env) const {
  const auto c = command(args, env);
  std::map<std::string, std::optional<std::string>> vars;  // the last setting of a name wins
  for (const auto& [var, value] : c.env) vars[var] = value;
  std::string line = "env";  // -u options before the first assignment
  for (const auto& [var, value] : vars)
    if (!value) line += " -u " + var;
  for (const auto& [var, value] : vars)
    if (value) line += " " + var + "=" + shell_quote(*value);
  for (const auto& a : c.args) line += " " + shell_quote(a);
  return line;
}

std::string shell_quote(const std::string& value) {
  std::string q = "'";
  for (char c : value) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string CliResult::describe() const {
  std::ostringstream s;
  s << "`" << command_line << "` ";
  if (exit) s << "exit " << *exit;
  else s << "killed at its deadline or by a signal";
  s << "\n--- stdout:\n" << out << "--- stderr:\n" << err << "---";
  return s.str();
}

std::vector<nlohmann::json> CliResult::json_lines() const { return parse_json_lines(out); }

nlohmann::json CliResult::json() const {
  auto j = nlohmann::json::parse(out, nullptr, false);
  return j.is_discarded() ? nlohmann::json() : j;
}

std::vector<std::string> CliResult::lines() const { return complete_lines(out); }

CliResult run_hush(const HushUser& user, const std::vector<std::string>& args, milliseconds timeout,
                   const std::vector<std::pair<std::string, std::optional<std::string>>>& env) {
  const auto command = user.command(args, env);
  CliResult r;
  r.command_line = shell_words(command.args);
  r.exit = e2e::run(command, timeout);
  r.out = e2e::read_file(command.out);
  r.err = e2e::read_file(command.err);
  return r;
}

std::unique_ptr<HushProcess> HushProcess::start(const HushUser& user, const std::vector<std::string>& args,
                                                std::string* error) {
  const auto command = user.command(args);
  auto pid = e2e::spawn(command);
  if (!pid) {
    if (error) *error = pid.error().message;
    return nullptr;
  }
  return std::unique_ptr<HushProcess>(new HushProcess(shell_words(command.args), command.out, command.err, *pid));
}

HushProcess::~HushProcess() { kill9(); }

bool HushProcess::running() {
  if (reaped_) return false;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) reaped_ = true;
  return r == 0;
}

std::string HushProcess::out() const { return e2e::read_file(out_); }
std::string HushProcess::err() const { return e2e::read_file(err_); }

std::string HushProcess::describe() const {
  return "`" + command_line_ + "` (pid " + std::to_string(pid_) + ")\n--- stdout:\n" + out() + "--- stderr:\n" +
         err() + "---";
}

std::vector<nlohmann::json> HushProcess::json_lines() const { return parse_json_lines(out()); }

bool HushProcess::wait_for(const std::function<bool(const std::vector<nlohmann::json>&)>& done,
                           milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    // Checked once more after the process exits: it may have printed the
    // last line just before.
    const bool alive = running();
    if (done(json_lines())) return true;
    if (!alive || Clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

void HushProcess::kill9() {
  if (reaped_) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);  // SIGKILL cannot be ignored: this returns promptly
  reaped_ = true;
}

std::optional<int> HushProcess::stop(int signal, milliseconds timeout) {
  if (reaped_) return std::nullopt;
  ::kill(pid_, signal);
  const auto code = e2e::wait_or_kill(pid_, timeout);
  reaped_ = true;
  return code;
}

std::vector<nlohmann::json> messages_in(const std::vector<nlohmann::json>& lines) {
  std::vector<nlohmann::json> out;
  for (const auto& j : lines)
    if (j.is_object() && j.value("type", "") == "message") out.push_back(j);
  return out;
}

std::vector<std::string> bodies_of(const std::vector<nlohmann::json>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(m.value("body", "<no body>"));
  return out;
}

std::vector<std::string> ids_of(const std::vector<nlohmann::json>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(m.value("id", "<no id>"));
  return out;
}

std::string sent_id(const std::string& out, const std::string& to) {
  const std::regex line("sent to " + to + R"( \(id ([0-9a-f]{32})\))");
  std::smatch m;
  return std::regex_search(out, m, line) ? m[1].str() : std::string();
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace hush::e2e_cli
