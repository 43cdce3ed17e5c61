#include "hushd_process.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "child_process.hpp"
#include "hush/client/directory_api.hpp"

namespace hush::e2e {
namespace {

using Clock = std::chrono::steady_clock;
constexpr milliseconds kPollInterval{20};

Error failure(std::string what) { return make_error(Errc::storage, std::move(what)); }

// The port of the first "listening" line at or after `offset`.
std::optional<std::uint16_t> listening_port(const std::filesystem::path& log, std::size_t offset) {
  const std::string text = read_file(log);
  if (text.size() <= offset) return std::nullopt;
  std::istringstream lines(text.substr(offset));
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.value("event", "") == "listening" && j.contains("port") && j["port"].is_number_unsigned())
      return j["port"].get<std::uint16_t>();
  }
  return std::nullopt;
}

}  // namespace

std::filesystem::path hushd_path() { return std::filesystem::path(HUSH_BIN_DIR) / "hushd"; }

std::string tail_of(const std::filesystem::path& file, std::size_t bytes) {
  const std::string text = read_file(file);
  return text.size() <= bytes ? text : text.substr(text.size() - bytes);
}

Result<std::unique_ptr<HushdProcess>> HushdProcess::start(const HushdConfig& config, milliseconds timeout) {
  if (!std::filesystem::exists(hushd_path())) return failure("no hushd at " + hushd_path().string());
  std::vector<std::string> args{hushd_path().string(), "--data-dir", config.data_dir.string(), "--address",
                                "127.0.0.1",           "--port",     std::to_string(config.port)};
  if (config.open_registration) args.push_back("--open-registration");
  if (!config.tls_cert.empty()) {
    args.insert(args.end(), {"--tls-cert", config.tls_cert.string(), "--tls-key", config.tls_key.string()});
  }
  args.insert(args.end(), config.extra_args.begin(), config.extra_args.end());

  std::error_code ec;
  const std::size_t log_offset =
      std::filesystem::exists(config.log_file) ? std::filesystem::file_size(config.log_file, ec) : 0;
  HUSH_ASSIGN(pid_t pid, spawn(args, "/dev/null", config.log_file));
  std::unique_ptr<HushdProcess> p(new HushdProcess(config, pid));

  const auto deadline = Clock::now() + timeout;
  while (p->port_ == 0) {
    if (auto port = listening_port(config.log_file, log_offset)) p->port_ = *port;
    else if (!p->running()) return failure("hushd exited at start; log:\n" + tail_of(config.log_file));
    else if (Clock::now() > deadline) return failure("hushd did not log \"listening\" in time; log:\n" + tail_of(config.log_file));
    else std::this_thread::sleep_for(kPollInterval);
  }
  client::DirectoryApi api(p->endpoint());
  for (;;) {
    if (api.healthz()) return p;
    if (!p->running()) return failure("hushd exited at start; log:\n" + tail_of(config.log_file));
    if (Clock::now() > deadline) return failure("hushd did not answer /healthz in time; log:\n" + tail_of(config.log_file));
    std::this_thread::sleep_for(kPollInterval);
  }
}

HushdProcess::~HushdProcess() {
  if (!reaped_) kill9();
}

client::Endpoint HushdProcess::endpoint() const {
  client::Endpoint ep;
  ep.host = "127.0.0.1";
  ep.port = port_;
  if (!config_.tls_cert.empty()) {
    ep.tls = true;
    ep.ca_file = config_.tls_cert.string();
    ep.server_name = "localhost";
  }
  return ep;
}

bool HushdProcess::running() {
  if (reaped_) return false;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    reaped_ = true;
    return false;
  }
  return r == 0;
}

std::optional<int> HushdProcess::wait_exit(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!reaped_) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      return std::nullopt;
    }
    if (r < 0 || Clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return std::nullopt;
}

void HushdProcess::kill9() {
  if (reaped_) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);  // SIGKILL cannot be ignored: this returns promptly
  reaped_ = true;
}

std::optional<int> HushdProcess::terminate(milliseconds timeout) {
  if (reaped_) return std::nullopt;
  ::kill(pid_, SIGTERM);
  auto status = wait_exit(timeout);
  if (!reaped_) kill9();
  return status;
}

Result<std::string> create_invite(const std::filesystem::path& data_dir, milliseconds timeout) {
  const auto out = data_dir.parent_path() / "invite.out";
  std::filesystem::remove(out);
  const auto status = run({hushd_path().string(), "invite", "create", "--data-dir", data_dir.string()}, out,
                          data_dir.parent_path() / "invite.err", timeout);
  if (status != 0) return failure("hushd invite create failed: " + tail_of(data_dir.parent_path() / "invite.err"));
  std::string token = read_file(out);
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (token.empty()) return failure("hushd invite create printed nothing");
  return token;
}

}  // namespace hush::e2e
