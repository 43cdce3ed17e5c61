// A real hushd child process for end-to-end tests: started from HUSH_BIN_DIR
// with a data directory, its stderr (JSON log lines) appended to a log file
// that later tests scan, stopped by SIGTERM or SIGKILL. Every wait has a
// deadline, and the child gets SIGKILL if the test process dies
// (PR_SET_PDEATHSIG), so a failing test never leaves a server behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hush/client/endpoint.hpp"
#include "hush/result.hpp"

namespace hush::e2e {

using std::chrono::milliseconds;

// Where the build put hushd (HUSH_BIN_DIR/hushd).
std::filesystem::path hushd_path();

struct HushdConfig {
  std::filesystem::path data_dir;
  std::filesystem::path log_file;         // stderr is appended here
  std::uint16_t port = 0;                 // 0: any free port, read back from the "listening" log line
  bool open_registration = true;
  std::filesystem::path tls_cert, tls_key;  // both set: HTTPS/WSS
  std::vector<std::string> extra_args;    // further flags, e.g. {"--header-timeout", "1"}
};

class HushdProcess {
 public:
  // Starts hushd and waits (up to `timeout`) until it logs "listening" and
  // answers GET /healthz. Errors (Errc::storage): no binary, the process
  // exited, or the deadline passed; the message includes the log's tail.
  static Result<std::unique_ptr<HushdProcess>> start(const HushdConfig& config, milliseconds timeout);
  ~HushdProcess();  // SIGKILL if still running
  HushdProcess(const HushdProcess&) = delete;
  HushdProcess& operator=(const HushdProcess&) = delete;

  pid_t pid() const noexcept { return pid_; }
  std::uint16_t port() const noexcept { return port_; }
  const HushdConfig& config() const noexcept { return config_; }
  // A client endpoint for this server (TLS with the server's certificate as
  // trust anchor when the server uses TLS).
  client::Endpoint endpoint() const;

  // SIGKILL and reap.
  void kill9();
  // SIGTERM, then wait up to `timeout`: the exit status (WEXITSTATUS) or
  // nullopt if it did not exit in time or died from a signal.
  std::optional<int> terminate(milliseconds timeout);
  bool running();

 private:
  HushdProcess(HushdConfig config, pid_t pid) : config_(std::move(config)), pid_(pid) {}
  std::optional<int> wait_exit(milliseconds timeout);

  HushdConfig config_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  bool reaped_ = false;
};

// Runs `hushd invite create --data-dir DIR` and returns the printed token.
Result<std::string> create_invite(const std::filesystem::path& data_dir, milliseconds timeout);

// The last `bytes` bytes of a file (for failure messages).
std::string tail_of(const std::filesystem::path& file, std::size_t bytes = 2000);

}  // namespace hush::e2e
