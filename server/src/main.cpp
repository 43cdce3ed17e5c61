// hushd: the Hush key directory (HTTP/JSON) and message relay (WebSocket) on
// one port. `hushd [options]` serves; `hushd invite create` prints a new
// registration invite. Every option also reads a HUSH_* environment
// variable (docs/OPERATIONS.md).
#include <google/protobuf/stubs/logging.h>
#include <CLI/CLI.hpp>

#include <malloc.h>

#include <csignal>
#include <filesystem>
#include <iostream>

#include "auth/authenticator.hpp"
#include "common/data_dir_lock.hpp"
#include "common/encoding.hpp"
#include "common/log.hpp"
#include "config/duration.hpp"
#include "db/sqlite_db.hpp"
#include "directory/account_cache.hpp"
#include "directory/directory_service.hpp"
#include "fanout/in_process_fanout.hpp"
#include "http/http_api.hpp"
#include "net/server.hpp"
#include "relay/relay_service.hpp"

namespace {

using namespace hush::server;

void add_serve_options(CLI::App& app, ServerConfig& c, unsigned& header_timeout, unsigned& http_idle, unsigned& ws_idle,
                       unsigned& grace) {
  Limits& l = c.limits;
  app.add_option("--address", c.address, "Listen address")->envname("HUSH_ADDRESS")->capture_default_str();
  app.add_option("--port", c.port, "Listen port (0: any free port, logged at start)")
      ->envname("HUSH_PORT")
      ->capture_default_str();
  app.add_flag("--open-registration", c.open_registration, "Allow registration without an invite")
      ->envname("HUSH_OPEN_REGISTRATION");
  app.add_option("--threads", c.threads, "I/O threads")
      ->envname("HUSH_THREADS")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--db-threads", c.db_threads, "Threads for blocking storage work")
      ->envname("HUSH_DB_THREADS")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--tls-cert", c.tls_cert, "PEM certificate chain; with --tls-key serves HTTPS and WSS")
      ->envname("HUSH_TLS_CERT")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-key", c.tls_key, "PEM private key")->envname("HUSH_TLS_KEY")->check(CLI::ExistingFile);
  app.add_option("--log-level", c.log_level, "debug, info, warn or error")
      ->envname("HUSH_LOG_LEVEL")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  app.add_option("--max-envelope-bytes", l.max_envelope_bytes, "Largest ciphertext of one envelope (else 413)")
      ->envname("HUSH_MAX_ENVELOPE_BYTES")
      ->check(CLI::Range(std::size_t{1}, std::size_t{64} << 20))
      ->capture_default_str();
  app.add_option("--max-frame-bytes", l.max_frame_bytes,
                 "Largest WebSocket message (else close 1009); at least max-envelope-bytes + 64 KiB")
      ->envname("HUSH_MAX_FRAME_BYTES")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{256} << 20))
      ->capture_default_str();
  app.add_option("--queue-max-envelopes", l.queue.max_envelopes, "Envelopes queued per device (else 507)")
      ->envname("HUSH_QUEUE_MAX_ENVELOPES")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--queue-max-bytes", l.queue.max_bytes, "Ciphertext bytes queued per device (else 507)")
      ->envname("HUSH_QUEUE_MAX_BYTES")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--max-json-body", l.max_json_body, "Largest HTTP request body (else 413)")
      ->envname("HUSH_MAX_JSON_BODY")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{64} << 20))
      ->capture_default_str();
  app.add_option("--max-header-bytes", l.max_header_bytes, "Largest HTTP request head (else 431)")
      ->envname("HUSH_MAX_HEADER_BYTES")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 20))
      ->capture_default_str();
  app.add_option("--header-timeout", header_timeout, "Seconds to receive a request head (and TLS handshake)")
      ->envname("HUSH_HEADER_TIMEOUT")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--http-idle-timeout", http_idle, "Seconds for a request body or a response write")
      ->envname("HUSH_HTTP_IDLE_TIMEOUT")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--ws-idle-timeout", ws_idle, "Seconds of WebSocket silence before closing (pings at half)")
      ->envname("HUSH_WS_IDLE_TIMEOUT")
      ->check(CLI::Range(2, 86400))
      ->capture_default_str();
  app.add_option("--max-connections-per-device", l.max_connections_per_device,
                 "WebSockets one device may hold (else close 1008)")
      ->envname("HUSH_MAX_CONNECTIONS_PER_DEVICE")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("--max-connections-per-address", l.max_connections_per_address,
                 "Connections from one client address (else 429)")
      ->envname("HUSH_MAX_CONNECTIONS_PER_ADDRESS")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--max-devices-per-account", l.max_devices_per_account, "Devices one account may register")
      ->envname("HUSH_MAX_DEVICES_PER_ACCOUNT")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--max-prekeys-stored", l.max_prekeys_stored, "One-time prekeys stored per device")
      ->envname("HUSH_MAX_PREKEYS_STORED")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--prekey-low-threshold", l.prekey_low_threshold, "Send PrekeysLow below this many prekeys")
      ->envname("HUSH_PREKEY_LOW_THRESHOLD")
      ->capture_default_str();
  app.add_option("--auth-failure-burst", l.auth_failures.burst, "Failed authentications per address before 429")
      ->envname("HUSH_AUTH_FAILURE_BURST")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--auth-failure-rate", l.auth_failures.per_second, "Failed authentications forgiven per second")
      ->envname("HUSH_AUTH_FAILURE_RATE")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--bundle-fetch-burst", l.bundle_fetches.burst, "Bundle fetches per device before 429")
      ->envname("HUSH_BUNDLE_FETCH_BURST")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--bundle-fetch-rate", l.bundle_fetches.per_second, "Bundle fetches per device per second")
      ->envname("HUSH_BUNDLE_FETCH_RATE")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--max-pending-write-bytes", l.max_pending_write_bytes,
                 "Unsent bytes per WebSocket before it is closed as too slow (1013)")
      ->envname("HUSH_MAX_PENDING_WRITE_BYTES")
      ->check(CLI::Range(std::size_t{64} << 10, std::size_t{1} << 30))
      ->capture_default_str();
  app.add_option("--shutdown-grace", grace, "Seconds to wait for in-flight commits and closes on SIGTERM")
      ->envname("HUSH_SHUTDOWN_GRACE")
      ->check(CLI::Range(0, 600))
      ->capture_default_str();
}

// Protobuf's own diagnostics (e.g. invalid UTF-8 in a client's frame) go
// into our JSON lines instead of raw text on stderr.
void protobuf_log(google::protobuf::LogLevel level, const char*, int, const std::string& message) {
  if (level >= google::protobuf::LOGLEVEL_ERROR) {
    log::debug("protobuf", {{"message", message}});
  }
}

int create_invite(const std::string& data_dir, const std::string& expires_text) {
  const auto expires = parse_duration(expires_text);
  if (!expires) {
    std::cerr << "hushd: --expires must look like 90m, 12h or 7d\n";
    return 2;
  }
  auto db = SqliteDb::open(data_dir);
  if (!db.ok()) {
    std::cerr << "hushd: cannot open " << data_dir << ": " << db.error().message << "\n";
    return 1;
  }
  const std::string token = random_token(32);
  const auto expires_ms = unix_now_ms() + static_cast<std::uint64_t>(expires->count()) * 1000;
  if (auto r = (*db)->create_invite(sha256(hush::as_bytes(token)), expires_ms); !r.ok()) {
    std::cerr << "hushd: cannot store the invite: " << r.error().message << "\n";
    return 1;
  }
  std::cout << token << "\n";
  return 0;
}

// Removes an account so its username can register again (a user who lost
// their device and identity key). Refuses while a hushd serves the data
// directory: the running server caches accounts.
int delete_account(const std::string& data_dir, const std::string& username) {
  if (!std::filesystem::exists(std::filesystem::path(data_dir) / SqliteDb::kFileName)) {
    std::cerr << "hushd: no hushd database in " << data_dir << "\n";
    return 1;
  }
  auto lock = DataDirLock::acquire(data_dir);
  if (!lock.ok()) {
    std::cerr << "hushd: " << lock.error().message << "; stop it first\n";
    return 1;
  }
  auto db = SqliteDb::open(data_dir);
  if (!db.ok()) {
    std::cerr << "hushd: cannot open " << data_dir << ": " << db.error().message << "\n";
    return 1;
  }
  auto deleted = (*db)->delete_account(username);
  if (!deleted.ok()) {
    std::cerr << "hushd: cannot delete " << username << ": " << deleted.error().message << "\n";
    return 1;
  }
  if (!*deleted) {
    std::cerr << "hushd: no account named " << username << "\n";
    return 1;
  }
  std::cout << "deleted " << username << "\n";
  return 0;
}

// glibc gives memory freed at the top of a heap back to the kernel (trim,
// MADV_DONTNEED) and faults it in again on the next burst, and maps and
// unmaps every allocation over its mmap threshold: together about 4% of
// hushd's CPU at 20,000 envelopes/s (perf; docs/BENCHMARKS.md). A relay's
// heap goes up and down with its traffic all the time, so hushd keeps up to
// 64 MiB of free heap and serves allocations of up to 4 MiB (envelopes, a
// replay page) from it.
void keep_freed_memory() {
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
}

int serve(ServerConfig& config) {
  log::set_level(*log::parse_level(config.log_level));
  keep_freed_memory();
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    log::error("bad_config", {{"error", "--tls-cert and --tls-key go together"}});
    return 2;
  }
  auto opened = SqliteDb::open(config.data_dir);
  if (!opened.ok()) {
    log::error("storage_open_failed", {{"data_dir", config.data_dir}, {"error", opened.error().message}});
    return 1;
  }
  std::unique_ptr<SqliteDb> db = std::move(opened).value();
  auto lock = DataDirLock::acquire(config.data_dir);
  if (!lock.ok()) {
    log::error("data_dir_locked", {{"data_dir", config.data_dir}, {"error", lock.error().message}});
    return 1;
  }

  Metrics metrics;
  metrics.storage_counters = [&db] {
    if (!db) return Metrics::StorageCounters{};  // closed: only after the I/O threads stopped
    const auto c = db->writer_counters();
    return Metrics::StorageCounters{c.batches, c.relaxed_batches, c.ops, c.checkpoints};
  };
  BlockingPool pool(config.db_threads);
  DbAsyncStore store(*db, pool);
  InProcessFanout fanout;
  AccountCache accounts(*db);
  Authenticator auth(accounts, config.limits, metrics);
  DirectoryService directory(config, *db, accounts, auth, fanout, metrics);
  RelayService relay(config.limits, store, accounts, pool, fanout, metrics);
  HttpApi api(directory, auth, metrics);
  Services services{config, metrics, pool, store, fanout, auth, directory, relay, api};
  // The Db is closed (its last group commit flushed) inside run_server,
  // after the I/O threads stop and before the io_context goes away.
  return run_server(services, [&db] { db.reset(); });
}

}  // namespace

int main(int argc, char** argv) {
  hush::server::SqliteDb::configure_library();
  hush::server::init_crypto();
  std::signal(SIGPIPE, SIG_IGN);
  google::protobuf::SetLogHandler(&protobuf_log);

  ServerConfig config;
  unsigned header_timeout = static_cast<unsigned>(config.limits.header_timeout.count());
  unsigned http_idle = static_cast<unsigned>(config.limits.http_idle_timeout.count());
  unsigned ws_idle = static_cast<unsigned>(config.limits.ws_idle_timeout.count());
  unsigned grace = static_cast<unsigned>(config.shutdown_grace.count());

  CLI::App app{"hushd: the Hush key directory and message relay (HTTP and WebSocket on one port)"};
  app.add_option("--data-dir", config.data_dir, "Directory of the SQLite database")
      ->envname("HUSH_DATA_DIR")
      ->capture_default_str();
  add_serve_options(app, config, header_timeout, http_idle, ws_idle, grace);

  auto* invite = app.add_subcommand("invite", "Registration invites");
  invite->require_subcommand(1);
  auto* invite_create = invite->add_subcommand("create", "Create an invite and print its token");
  std::string invite_data_dir;
  std::string expires = "7d";
  invite_create->add_option("--data-dir", invite_data_dir, "Directory of the SQLite database (default: as hushd)")
      ->envname("HUSH_DATA_DIR");
  invite_create->add_option("--expires", expires, "Validity, e.g. 12h or 7d")->capture_default_str();

  auto* account = app.add_subcommand("account", "Account maintenance (run while hushd is stopped)");
  account->require_subcommand(1);
  auto* account_delete = account->add_subcommand(
      "delete", "Delete an account, its devices, keys and queued messages, so the name can register again");
  std::string account_data_dir;
  std::string account_name;
  account_delete->add_option("USER", account_name, "Username")->required();
  account_delete->add_option("--data-dir", account_data_dir, "Directory of the SQLite database (default: as hushd)")
      ->envname("HUSH_DATA_DIR");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  if (*invite_create) return create_invite(invite_data_dir.empty() ? config.data_dir : invite_data_dir, expires);
  if (*account_delete)
    return delete_account(account_data_dir.empty() ? config.data_dir : account_data_dir, account_name);

  config.limits.header_timeout = std::chrono::seconds(header_timeout);
  config.limits.http_idle_timeout = std::chrono::seconds(http_idle);
  config.limits.ws_idle_timeout = std::chrono::seconds(ws_idle);
  config.shutdown_grace = std::chrono::seconds(grace);
  return serve(config);
}
